#include "crid/image_service.h"

#include <gtest/gtest.h>

#include <cerrno>

#include "crid/grpc_status.h"

namespace berth::crid {
namespace {

images::ImageRecord record_with_user(const std::string &user) {
  images::ImageRecord r;
  r.id = "sha256:" + std::string(64, 'a');
  r.repo_tags = {"docker.io/library/busybox:latest", "docker.io/library/busybox:1.36"};
  r.repo_digests = {"docker.io/library/busybox@sha256:" + std::string(64, 'b')};
  r.size = 2226566;
  r.config.user = user;
  return r;
}

TEST(CridImageService, ImageMessageCarriesTheRecordFieldByField) {
  runtime::v1::Image image;
  to_cri_image(record_with_user(""), &image);
  EXPECT_EQ(image.id(), "sha256:" + std::string(64, 'a'));
  ASSERT_EQ(image.repo_tags_size(), 2);
  EXPECT_EQ(image.repo_tags(0), "docker.io/library/busybox:latest");
  EXPECT_EQ(image.repo_tags(1), "docker.io/library/busybox:1.36");
  ASSERT_EQ(image.repo_digests_size(), 1);
  EXPECT_EQ(image.size(), 2226566u);
  EXPECT_FALSE(image.has_uid());
  EXPECT_EQ(image.username(), "");
  EXPECT_EQ(image.spec().image(), image.id());
  EXPECT_FALSE(image.pinned());
}

TEST(CridImageService, NumericUserIsAUidAndANameIsAUsername) {
  runtime::v1::Image image;
  to_cri_image(record_with_user("1000:1000"), &image);
  ASSERT_TRUE(image.has_uid());
  EXPECT_EQ(image.uid().value(), 1000);
  EXPECT_EQ(image.username(), "");

  image.Clear();
  to_cri_image(record_with_user("0"), &image);
  ASSERT_TRUE(image.has_uid());
  EXPECT_EQ(image.uid().value(), 0);

  image.Clear();
  to_cri_image(record_with_user("nobody:nogroup"), &image);
  EXPECT_FALSE(image.has_uid());
  EXPECT_EQ(image.username(), "nobody");
}

TEST(CridGrpcStatus, ErrnoPicksTheCodeAndTheMessageStays) {
  EXPECT_EQ(to_status(Error{ENOENT, "no such image"}).error_code(), rpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(to_status(Error{ENOENT, "no such image"}).error_message(), "no such image");
  EXPECT_EQ(to_status(Error{EINVAL, "x"}).error_code(), rpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(to_status(Error{EACCES, "x"}).error_code(), rpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(to_status(Error{EBADMSG, "x"}).error_code(), rpc::StatusCode::DATA_LOSS);
  EXPECT_EQ(to_status(Error{EBUSY, "x"}).error_code(), rpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(to_status(Error{ECONNREFUSED, "x"}).error_code(), rpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(to_status(Error{0, "x"}).error_code(), rpc::StatusCode::INTERNAL);
}

}  // namespace
}  // namespace berth::crid
