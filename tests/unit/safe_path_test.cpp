#include "libcontainer/safe_path.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

namespace berth {
namespace {

namespace fs = std::filesystem;

// A temporary rootfs with hostile symlinks in it, removed after each test.
class SafePath : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-safe-path-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    base_ = tmpl;
    outside_ = base_ + "/outside";
    root_ = base_ + "/root";
    fs::create_directories(outside_);
    fs::create_directories(root_ + "/etc");
    fs::create_symlink("/", root_ + "/evil");
    fs::create_symlink("..", root_ + "/up");
    fs::create_symlink("../../outside", root_ + "/etc/rel");
    fs::create_symlink("/proc/self/root", root_ + "/magic");
    fs::create_symlink("/nowhere/at/all", root_ + "/dangling");
    root_fd_ = Fd(::open(root_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    ASSERT_TRUE(root_fd_.valid());
  }
  void TearDown() override {
    root_fd_.reset();
    fs::remove_all(base_);
  }

  // The path fd names, as the kernel sees it.
  static std::string real(const Fd &fd) { return fs::read_symlink(fd_path(fd.get())).string(); }

  std::string base_, outside_, root_;
  Fd root_fd_;
};

TEST(CleanRelative, StaysBelowRoot) {
  EXPECT_EQ(clean_relative("/a/./b/../c/"), "a/c");
  EXPECT_EQ(clean_relative("../../x"), "x");
  EXPECT_EQ(clean_relative("/"), "");
  EXPECT_EQ(clean_relative(""), "");
  EXPECT_EQ(clean_relative("//dev//pts"), "dev/pts");
}

TEST_F(SafePath, AbsoluteSymlinkToSlashStaysInside) {
  auto fd = create_in_root(root_fd_.get(), "/evil/tmp", PathKind::Directory);
  ASSERT_TRUE(fd) << fd.error().message;
  EXPECT_EQ(real(*fd), root_ + "/tmp");
  EXPECT_TRUE(fs::is_directory(root_ + "/tmp"));
}

TEST_F(SafePath, DotDotSymlinkStaysInside) {
  auto fd = open_in_root(root_fd_.get(), "up/up/etc");
  ASSERT_TRUE(fd) << fd.error().message;
  EXPECT_EQ(real(*fd), root_ + "/etc");
}

TEST_F(SafePath, RelativeSymlinkClimbingOutIsClamped) {
  // Clamped at the root, ../../outside names the root's own "outside",
  // which is created there (as runc creates through a dangling link).
  auto fd = create_in_root(root_fd_.get(), "etc/rel/file", PathKind::File);
  ASSERT_TRUE(fd) << fd.error().message;
  EXPECT_EQ(real(*fd), root_ + "/outside/file");
  EXPECT_FALSE(fs::exists(outside_ + "/file"));
  EXPECT_TRUE(fs::is_regular_file(root_ + "/outside/file"));
}

TEST_F(SafePath, MagicLinksRefused) {
  // Inside the root the link's target is absent; from the real / it is a
  // magic link, which is refused rather than followed.
  EXPECT_FALSE(open_in_root(root_fd_.get(), "magic/etc"));
  Fd slash(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
  auto fd = open_in_root(slash.get(), "/proc/self/root/etc");
  ASSERT_FALSE(fd);
  EXPECT_EQ(fd.error().code, ELOOP);
}

TEST_F(SafePath, DanglingSymlinkIsCreatedThroughInsideTheRoot) {
  auto fd = create_in_root(root_fd_.get(), "dangling", PathKind::Directory);
  ASSERT_TRUE(fd) << fd.error().message;
  EXPECT_EQ(real(*fd), root_ + "/nowhere/at/all");
  EXPECT_FALSE(fs::exists("/nowhere"));
}

TEST_F(SafePath, SymlinkLoopIsAnError) {
  fs::create_symlink("loop-b", root_ + "/loop-a");
  fs::create_symlink("loop-a", root_ + "/loop-b");
  auto fd = create_in_root(root_fd_.get(), "loop-a/x", PathKind::Directory);
  ASSERT_FALSE(fd);
}

TEST_F(SafePath, CreatesNestedDirectoriesAndKeepsExisting) {
  auto fd = create_in_root(root_fd_.get(), "/a/b/c", PathKind::Directory);
  ASSERT_TRUE(fd) << fd.error().message;
  EXPECT_TRUE(fs::is_directory(root_ + "/a/b/c"));
  auto again = create_in_root(root_fd_.get(), "a/b/c", PathKind::Directory);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(real(*again), root_ + "/a/b/c");
  auto root = create_in_root(root_fd_.get(), "/", PathKind::Directory);
  ASSERT_TRUE(root);
  EXPECT_EQ(real(*root), root_);
}

TEST_F(SafePath, OpenMissingReportsEnoent) {
  auto fd = open_in_root(root_fd_.get(), "no/such");
  ASSERT_FALSE(fd);
  EXPECT_EQ(fd.error().code, ENOENT);
}

}  // namespace
}  // namespace berth
