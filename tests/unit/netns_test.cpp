#include "netns/netns.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "netns/loopback.h"

namespace berth::netns {
namespace {

std::string netns_id(const std::string &path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? std::to_string(st.st_ino) : "";
}

TEST(Netns, PinsANewNamespaceWithLoopbackUpAndRemovesIt) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root";
  char tmpl[] = "/tmp/netns-test.XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  std::string path = dir + "/pod";
  auto made = create_pinned_netns(path);
  ASSERT_TRUE(made) << made.error().message;
  EXPECT_TRUE(is_pinned_netns(path));
  // Not this thread's namespace: the caller never moved.
  EXPECT_NE(netns_id(path), netns_id("/proc/thread-self/ns/net"));

  bool up = false;
  std::string inside;
  auto ran = run_in_netns(path, [&]() -> Result<void> {
    up = TRY(loopback_is_up());
    inside = netns_id("/proc/thread-self/ns/net");
    return {};
  });
  ASSERT_TRUE(ran) << ran.error().message;
  EXPECT_TRUE(up);
  EXPECT_EQ(inside, netns_id(path));

  EXPECT_FALSE(create_pinned_netns(path));  // it exists already
  EXPECT_TRUE(is_pinned_netns(path));
  ASSERT_TRUE(remove_pinned_netns(path));
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_TRUE(remove_pinned_netns(path));  // idempotent
  std::filesystem::remove_all(dir);
}

TEST(Netns, PinnedNetnsRemovesItselfUnlessReleased) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root";
  char tmpl[] = "/tmp/netns-test.XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  {
    auto ns = PinnedNetns::create(dir + "/a");
    ASSERT_TRUE(ns) << ns.error().message;
    EXPECT_TRUE(is_pinned_netns(ns->path()));
  }
  EXPECT_FALSE(std::filesystem::exists(dir + "/a"));
  std::string kept;
  {
    auto ns = PinnedNetns::create(dir + "/b");
    ASSERT_TRUE(ns);
    kept = ns->release();
  }
  EXPECT_TRUE(is_pinned_netns(kept));
  EXPECT_TRUE(remove_pinned_netns(kept));
  auto missing_dir = create_pinned_netns(dir + "/no/such/dir");
  ASSERT_FALSE(missing_dir);
  EXPECT_NE(missing_dir.error().message.find("No such file or directory"), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace berth::netns
