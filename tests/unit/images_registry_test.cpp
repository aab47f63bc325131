// Pulls from a real registry: set BERTH_TEST_REGISTRY=127.0.0.1:PORT to one
// that tests/integration/registry.bash's push_busybox_image filled
// (busybox:latest as OCI, :latest-v2s2 as Docker schema2, :latest-index as an index).
// BERTH_TEST_REGISTRY_AUTH=USER:PASSWORD when it wants basic auth (start_registry --htpasswd).
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <thread>

#include "images/image_service.h"

using namespace berth::images;
namespace fs = std::filesystem;

namespace {

class ImagesRegistry : public testing::Test {
 protected:
  void SetUp() override {
    const char *reg = std::getenv("BERTH_TEST_REGISTRY");
    if (!reg || !*reg) GTEST_SKIP() << "BERTH_TEST_REGISTRY is not set (start one with tests/integration/registry.bash)";
    if (geteuid() != 0) GTEST_SKIP() << "unpacking layers as overlay dirs needs root";
    registry_ = reg;
    if (const char *creds = std::getenv("BERTH_TEST_REGISTRY_AUTH"); creds && *creds) {
      std::string c = creds;
      auth_.username = c.substr(0, c.find(':'));
      auth_.password = c.substr(c.find(':') + 1);
    }
    char t[] = "/tmp/berth-images-reg.XXXXXX";
    root_ = mkdtemp(t);
    service_ = open_service();
  }
  void TearDown() override {
    service_.reset();
    if (!root_.empty()) fs::remove_all(root_);
  }
  std::unique_ptr<ImageService> open_service() {
    ServiceOptions o;
    o.root = root_;
    o.registries[registry_].insecure = true;
    auto s = ImageService::open(std::move(o));
    EXPECT_TRUE(s) << s.error().message;
    return s ? std::move(*s) : nullptr;
  }
  size_t blob_count() {
    size_t n = 0;
    for ([[maybe_unused]] auto &e : fs::directory_iterator(root_ + "/blobs/sha256")) n++;
    return n;
  }
  std::string registry_, root_;
  Auth auth_;
  std::unique_ptr<ImageService> service_;
};

}  // namespace

TEST_F(ImagesRegistry, PullsOciSchema2AndIndex) {
  ASSERT_TRUE(service_);
  auto oci = service_->pull(registry_ + "/busybox:latest", auth_);
  ASSERT_TRUE(oci) << oci.error().message;
  EXPECT_EQ(oci->repo_tags, std::vector<std::string>{registry_ + "/busybox:latest"});
  EXPECT_EQ(oci->manifest_media_type, "application/vnd.oci.image.manifest.v1+json");
  ASSERT_EQ(oci->layers.size(), 1u);
  EXPECT_EQ(oci->config.cmd, std::vector<std::string>{"/bin/sh"});
  EXPECT_EQ(oci->config.labels["org.berth.test"], "busybox");
  EXPECT_GT(oci->size, 100000u);
  ASSERT_EQ(oci->repo_digests.size(), 1u);

  auto v2 = service_->pull(registry_ + "/busybox:latest-v2s2", auth_);
  ASSERT_TRUE(v2) << v2.error().message;
  EXPECT_EQ(v2->manifest_media_type, "application/vnd.docker.distribution.manifest.v2+json");

  auto idx = service_->pull(registry_ + "/busybox:latest-index", auth_);
  ASSERT_TRUE(idx) << idx.error().message;
  EXPECT_FALSE(idx->index_digest.empty());
  // skopeo keeps the config blob when converting: one image id, three tags.
  EXPECT_EQ(idx->id, oci->id);
  EXPECT_EQ(v2->id, oci->id);
  auto st = service_->status(oci->id);
  ASSERT_TRUE(st);
  EXPECT_EQ(st->repo_tags.size(), 3u);
  EXPECT_EQ(st->repo_digests.size(), 3u);

  // By digest, as the kubelet pins images.
  auto by_digest = service_->pull(registry_ + "/busybox@" + oci->manifest_digest, auth_);
  ASSERT_TRUE(by_digest) << by_digest.error().message;
  EXPECT_EQ(by_digest->id, oci->id);

  auto dirs = service_->layer_dirs(oci->id);
  ASSERT_TRUE(dirs) << dirs.error().message;
  ASSERT_EQ(dirs->size(), 1u);
  EXPECT_TRUE(fs::exists((*dirs)[0] + "/bin/busybox"));
  EXPECT_TRUE(fs::is_symlink((*dirs)[0] + "/bin/sh"));

  std::string rootfs = root_ + "/rootfs-copy";
  auto prepared = service_->prepare_rootfs(oci->id, rootfs);
  ASSERT_TRUE(prepared) << prepared.error().message;
  EXPECT_TRUE(fs::exists(rootfs + "/bin/busybox"));
  fs::remove_all(rootfs);

  auto info = service_->fs_info();
  ASSERT_TRUE(info);
  EXPECT_GT(info->bytes, 100000u);
  EXPECT_GT(info->inodes, 5u);

  // Records survive a restart.
  service_ = open_service();
  ASSERT_TRUE(service_);
  EXPECT_EQ(service_->list()->size(), 1u);
  EXPECT_FALSE(service_->status("busybox:latest-v2s2"));  // short names go to docker.io
  EXPECT_TRUE(service_->status(registry_ + "/busybox:latest-v2s2"));
  EXPECT_TRUE(service_->status(oci->id.substr(7, 12)));

  // Removing one tag of several keeps the image.
  ASSERT_TRUE(service_->remove(registry_ + "/busybox:latest-v2s2"));
  EXPECT_FALSE(service_->status(registry_ + "/busybox:latest-v2s2"));
  EXPECT_EQ(service_->status(oci->id)->repo_tags.size(), 2u);
  EXPECT_GT(blob_count(), 0u);
  ASSERT_TRUE(service_->remove(oci->id));
  EXPECT_TRUE(service_->list()->empty());
  EXPECT_EQ(blob_count(), 0u);
  EXPECT_TRUE(fs::is_empty(root_ + "/layers"));
  auto gone = service_->status(oci->id);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, ENOENT);
}

TEST_F(ImagesRegistry, ConcurrentPullsShareBlobs) {
  ASSERT_TRUE(service_);
  std::vector<std::thread> threads;
  std::vector<berth::Result<ImageRecord>> results(4);
  for (int i = 0; i < 4; i++)
    threads.emplace_back([&, i] {
      results[i] = service_->pull(registry_ + (i % 2 ? "/busybox:latest" : "/busybox:latest-index"), auth_);
    });
  for (auto &t : threads) t.join();
  for (auto &r : results) ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(service_->list()->size(), 1u);
}

TEST_F(ImagesRegistry, ErrorsNameTheProblem) {
  ASSERT_TRUE(service_);
  auto missing = service_->pull(registry_ + "/busybox:no-such-tag", auth_);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ENOENT);
  EXPECT_NE(missing.error().message.find("404"), std::string::npos) << missing.error().message;
  EXPECT_NE(missing.error().message.find("MANIFEST_UNKNOWN"), std::string::npos) << missing.error().message;
  EXPECT_NE(missing.error().message.find("/v2/busybox/manifests/no-such-tag"), std::string::npos);

  auto bad = service_->pull("Not A Ref", Auth{});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, EINVAL);

  // Without the insecure mark, plain HTTP is never tried.
  ServiceOptions o;
  o.root = root_ + "/secure";
  auto secure = ImageService::open(std::move(o));
  ASSERT_TRUE(secure);
  auto tls = (*secure)->pull(registry_ + "/busybox:latest", Auth{});
  ASSERT_FALSE(tls);
  EXPECT_NE(tls.error().message.find("https://"), std::string::npos) << tls.error().message;
  EXPECT_TRUE((*secure)->list()->empty());
}

TEST_F(ImagesRegistry, AnonymousRefusedWhenAuthRequired) {
  if (auth_.username.empty()) GTEST_SKIP() << "BERTH_TEST_REGISTRY_AUTH is not set (the registry takes anonymous pulls)";
  auto anon = service_->pull(registry_ + "/busybox:latest", Auth{});
  ASSERT_FALSE(anon);
  EXPECT_EQ(anon.error().code, EACCES) << anon.error().message;
  Auth wrong = auth_;
  wrong.password += "x";
  auto bad = service_->pull(registry_ + "/busybox:latest", wrong);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, EACCES) << bad.error().message;
  EXPECT_NE(bad.error().message.find("401"), std::string::npos) << bad.error().message;
  auto ok = service_->pull(registry_ + "/busybox:latest", auth_);
  ASSERT_TRUE(ok) << ok.error().message;
}
