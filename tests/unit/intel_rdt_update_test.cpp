#include "libcontainer/intel_rdt_update.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "libcontainer/file_util.h"

namespace berth {
namespace {

TEST(MergeSchemata, ReplacesTheGivenResourcesAndKeepsTheOthers) {
  EXPECT_EQ(merge_schemata("    L3:0=fff;1=fff\n    MB:0=100;1=100\n", {"MB:0=50;1=50"}),
            "L3:0=fff;1=fff\nMB:0=50;1=50\n");
  EXPECT_EQ(merge_schemata("L3:0=fff\n", {"L3:0=f0", "MB:0=30"}), "L3:0=f0\nMB:0=30\n");
  EXPECT_EQ(merge_schemata("", {"L2:0=3"}), "L2:0=3\n");
}

class RdtUpdate : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/rdt-update-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root = tmpl;
    ASSERT_EQ(::mkdir((root + "/info").c_str(), 0755), 0);
    ASSERT_EQ(::mkdir((root + "/g").c_str(), 0755), 0);
    ASSERT_TRUE(write_file_atomic(root + "/g/schemata", "L3:0=fff\nMB:0=100\n", 0644));
    g.path = root + "/g";
    g.created = true;
  }
  void TearDown() override { (void)std::system(("rm -rf " + root).c_str()); }
  std::string root;
  RdtGroup g;
};

TEST_F(RdtUpdate, NeedsTheResourceInInfo) {
  auto r = update_intel_rdt(&g, {"L3:0=f", ""}, root);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("l3 cache schema is not enabled"), std::string::npos) << r.error().message;
  r = update_intel_rdt(&g, {"", "MB:0=10"}, root);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("memory bandwidth schema is not enabled"), std::string::npos);
}

TEST_F(RdtUpdate, WritesTheMergedSchemataOfAGroupItMade) {
  ASSERT_EQ(::mkdir((root + "/info/MB").c_str(), 0755), 0);
  ASSERT_TRUE(update_intel_rdt(&g, {"", "MB:0=40"}, root));
  EXPECT_EQ(*read_file(root + "/g/schemata"), "L3:0=fff\nMB:0=40\n");
  auto bad = update_intel_rdt(&g, {"", "L3:0=1"}, root);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("must start with \"MB:\""), std::string::npos);
}

TEST_F(RdtUpdate, RefusesNoGroupAndASharedGroup) {
  ASSERT_EQ(::mkdir((root + "/info/L3").c_str(), 0755), 0);
  auto none = update_intel_rdt(nullptr, {"L3:0=f", ""}, root);
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message.find("no Intel RDT group"), std::string::npos);
  g.created = false;
  auto shared = update_intel_rdt(&g, {"L3:0=f", ""}, root);
  ASSERT_FALSE(shared);
  EXPECT_NE(shared.error().message.find("shares with others"), std::string::npos);
  EXPECT_EQ(*read_file(root + "/g/schemata"), "L3:0=fff\nMB:0=100\n");
}

}  // namespace
}  // namespace berth
