#include "libcontainer/intel_rdt.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "libcontainer/file_util.h"

namespace berth {
namespace {

TEST(RdtSchemataLines, MemBwSchemaReplacesAnMbLineOfL3CacheSchema) {
  IntelRdt r;
  r.l3_cache_schema = "L3:0=7f0;1=1f\nMB:0=90";
  r.mem_bw_schema = "MB:0=20;1=70";
  r.schemata = {"L2:0=f"};
  EXPECT_EQ(rdt_schemata_lines(r), (std::vector<std::string>{"L3:0=7f0;1=1f", "MB:0=20;1=70", "L2:0=f"}));
  r.mem_bw_schema.clear();
  EXPECT_EQ(rdt_schemata_lines(r), (std::vector<std::string>{"L3:0=7f0;1=1f", "MB:0=90", "L2:0=f"}));
}

TEST(RdtSchemataMatch, ComparesMasksAsNumbersAndIgnoresOtherResources) {
  const char *have = "    MB:0=100;1=100\n    L3:0=0ff;1=fff\n";
  EXPECT_TRUE(rdt_schemata_match(have, {"L3:1=fff;0=ff"}));
  EXPECT_TRUE(rdt_schemata_match(have, {"MB:0=100"}));
  auto wrong = rdt_schemata_match(have, {"L3:0=f"});
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.error().message.find("0=ff there"), std::string::npos) << wrong.error().message;
  EXPECT_FALSE(rdt_schemata_match(have, {"L2:0=f"}));
  EXPECT_FALSE(rdt_schemata_match(have, {"L3:0=zz"}));
}

class RdtJoin : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-rdt-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
  }
  void TearDown() override { (void)remove_tree(root_); }
  std::string root_;
};

TEST_F(RdtJoin, MakesTheContainersGroupAndRemovesIt) {
  IntelRdt r;
  r.l3_cache_schema = "L3:0=f";
  auto g = join_intel_rdt(r, "c1", 1234, root_);
  ASSERT_TRUE(g) << g.error().message;
  EXPECT_EQ(g->path, root_ + "/c1");
  EXPECT_TRUE(g->created);
  EXPECT_EQ(*read_file(root_ + "/c1/schemata"), "L3:0=f\n");
  EXPECT_EQ(*read_file(root_ + "/c1/tasks"), "1234");
  ASSERT_TRUE(remove_intel_rdt(RdtGroup::from_json(g->to_json())));
  EXPECT_NE(::access((root_ + "/c1").c_str(), F_OK), 0);
}

TEST_F(RdtJoin, AClosIdWithoutSchemasMustExist) {
  IntelRdt r;
  r.clos_id = "gold";
  auto g = join_intel_rdt(r, "c1", 1, root_);
  ASSERT_FALSE(g);
  EXPECT_NE(g.error().message.find("linux.intelRdt.closID: group " + root_ + "/gold does not exist"), std::string::npos)
      << g.error().message;
  EXPECT_NE(::access((root_ + "/gold").c_str(), F_OK), 0);
}

TEST_F(RdtJoin, AnExistingClosIsComparedNeverRewrittenNorRemoved) {
  ASSERT_EQ(::mkdir((root_ + "/gold").c_str(), 0755), 0);
  ASSERT_TRUE(write_file_atomic(root_ + "/gold/schemata", "L3:0=00f\n", 0644));
  IntelRdt r;
  r.clos_id = "gold";
  r.l3_cache_schema = "L3:0=ff";
  auto bad = join_intel_rdt(r, "c1", 1, root_);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("already exists with other schemata"), std::string::npos) << bad.error().message;
  EXPECT_EQ(*read_file(root_ + "/gold/schemata"), "L3:0=00f\n");

  r.l3_cache_schema = "L3:0=f";
  auto g = join_intel_rdt(r, "c1", 77, root_);
  ASSERT_TRUE(g) << g.error().message;
  EXPECT_FALSE(g->created);
  EXPECT_EQ(*read_file(root_ + "/gold/tasks"), "77");
  ASSERT_TRUE(remove_intel_rdt(*g));
  EXPECT_EQ(::access((root_ + "/gold").c_str(), F_OK), 0);
}

TEST_F(RdtJoin, MonitoringNeedsMonGroupsAndLeavesNothingOnError) {
  IntelRdt r;
  r.enable_monitoring = true;
  auto bad = join_intel_rdt(r, "c1", 1, root_);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("linux.intelRdt.enableMonitoring"), std::string::npos);
  EXPECT_NE(::access((root_ + "/c1").c_str(), F_OK), 0);
}

}  // namespace
}  // namespace berth
