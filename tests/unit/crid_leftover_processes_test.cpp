// Whether a bundle's container shares a pid namespace (and so leaves
// processes behind when its init dies).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "crid/leftover_processes.h"

namespace berth::crid {
namespace {

namespace fs = std::filesystem;

class SharesPidNamespace : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("crid-pidns-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write(const std::string &text) { std::ofstream(dir_ / "config.json") << text; }
  bool shares() { return shares_pid_namespace(dir_.string()); }
  fs::path dir_;
};

TEST_F(SharesPidNamespace, OwnNamespaceDoesNotShare) {
  write(R"({"linux": {"namespaces": [{"type": "mount"}, {"type": "pid"}]}})");
  EXPECT_FALSE(shares());
}

TEST_F(SharesPidNamespace, JoinedNamespaceShares) {
  write(R"({"linux": {"namespaces": [{"type": "mount"}, {"type": "pid", "path": "/proc/42/ns/pid"}]}})");
  EXPECT_TRUE(shares());
}

TEST_F(SharesPidNamespace, HostNamespaceShares) {
  write(R"({"linux": {"namespaces": [{"type": "mount"}, {"type": "network"}]}})");
  EXPECT_TRUE(shares());
}

TEST_F(SharesPidNamespace, UnreadableConfigCountsAsShared) {
  EXPECT_TRUE(shares());
  write("{not json");
  EXPECT_TRUE(shares());
}

}  // namespace
}  // namespace berth::crid
