#include <gtest/gtest.h>

#include <filesystem>

#include "crid/container_spec.h"
#include "crid_spec_fixture.h"

namespace berth::crid {
namespace {

using testing::TempRootfs;
using testing::Gids;

TEST(CridSpecUser, EmptyIsRootWithRootsGroups) {
  TempRootfs root;
  root.write_users();
  auto u = resolve_user(root.path(), "");
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_EQ(u->uid, 0u);
  EXPECT_EQ(u->gid, 0u);
  EXPECT_EQ(u->additional_gids, Gids({50}));
}

TEST(CridSpecUser, NameGivesUidPrimaryGroupAndMemberships) {
  TempRootfs root;
  root.write_users();
  auto u = resolve_user(root.path(), "alice");
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_EQ(u->uid, 1000u);
  EXPECT_EQ(u->gid, 1000u);
  EXPECT_EQ(u->additional_gids, Gids({29, 44}));
}

TEST(CridSpecUser, NumericUidIsLookedUpForItsGroupAndName) {
  TempRootfs root;
  root.write_users();
  auto u = resolve_user(root.path(), "33");
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_EQ(u->uid, 33u);
  EXPECT_EQ(u->gid, 33u);
  EXPECT_EQ(u->additional_gids, Gids({29}));
}

TEST(CridSpecUser, NumericUidNotInPasswdRunsWithGroupZero) {
  TempRootfs root;
  root.write_users();
  auto u = resolve_user(root.path(), "4242");
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_EQ(u->uid, 4242u);
  EXPECT_EQ(u->gid, 0u);
  EXPECT_TRUE(u->additional_gids.empty());
}

TEST(CridSpecUser, ExplicitGroupByNameOrNumberReplacesThePrimaryGroup) {
  TempRootfs root;
  root.write_users();
  auto by_name = resolve_user(root.path(), "alice:video");
  ASSERT_TRUE(by_name) << by_name.error().message;
  EXPECT_EQ(by_name->uid, 1000u);
  EXPECT_EQ(by_name->gid, 44u);
  EXPECT_EQ(by_name->additional_gids, Gids({29}));  // video is the primary group now
  auto numeric = resolve_user(root.path(), "1000:7");
  ASSERT_TRUE(numeric) << numeric.error().message;
  EXPECT_EQ(numeric->gid, 7u);
}

TEST(CridSpecUser, NumericPairNeedsNoUserDatabase) {
  TempRootfs root;  // no /etc/passwd, no /etc/group
  auto u = resolve_user(root.path(), "1234:5678");
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_EQ(u->uid, 1234u);
  EXPECT_EQ(u->gid, 5678u);
}

TEST(CridSpecUser, UnknownNamesAreErrorsNamingTheFile) {
  TempRootfs root;
  root.write_users();
  auto u = resolve_user(root.path(), "mallory");
  ASSERT_FALSE(u);
  EXPECT_NE(u.error().message.find("\"mallory\""), std::string::npos) << u.error().message;
  EXPECT_NE(u.error().message.find("/etc/passwd"), std::string::npos) << u.error().message;
  auto g = resolve_user(root.path(), "alice:nogroup");
  ASSERT_FALSE(g);
  EXPECT_NE(g.error().message.find("\"nogroup\""), std::string::npos) << g.error().message;
  EXPECT_NE(g.error().message.find("/etc/group"), std::string::npos) << g.error().message;
  EXPECT_FALSE(resolve_user(root.path(), "alice:"));
  EXPECT_FALSE(resolve_user(root.path(), "4294967295"));
}

TEST(CridSpecUser, SymlinkedPasswdResolvesInsideTheRootfs) {
  TempRootfs root;
  // An image's /etc/passwd pointing at an absolute path means that path in the image.
  root.write("/lib/passwd", "app:x:700:701::/:/bin/sh\n");
  std::filesystem::create_symlink("/lib/passwd", root.path() + "/etc/passwd");
  auto u = resolve_user(root.path(), "app");
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_EQ(u->uid, 700u);
  EXPECT_EQ(u->gid, 701u);
  // ... and one climbing out with ".." stays in the rootfs too: the host's root user is not found.
  TempRootfs escape;
  std::filesystem::create_symlink("../../../../../../etc/passwd", escape.path() + "/etc/passwd");
  EXPECT_FALSE(resolve_user(escape.path(), "root"));
}

}  // namespace
}  // namespace berth::crid
