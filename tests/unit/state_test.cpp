#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include "libcontainer/file_util.h"
#include "libcontainer/state.h"

using namespace berth;

TEST(ContainerId, AcceptsRuncCharacters) {
  EXPECT_TRUE(validate_id("abc-DEF_1.2+3"));
  EXPECT_FALSE(validate_id(""));
  EXPECT_FALSE(validate_id(".."));
  EXPECT_FALSE(validate_id("a/b"));
  EXPECT_FALSE(validate_id("a b"));
  auto e = validate_id("x/y");
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("invalid container id"), std::string::npos);
}

TEST(StateJson, RoundTrips) {
  ContainerState s;
  s.id = "c1";
  s.oci_version = "1.3.0";
  s.pid = 1234;
  s.pid_start_time = 777;
  s.bundle = "/b";
  s.rootfs = "/b/rootfs";
  s.created = "2026-01-01T00:00:00.000000001Z";
  s.annotations = {{"k", "v"}};
  s.own_pid_ns = false;
  s.cgroup = {{"kind", "v1"}};
  auto back = state_from_json(state_to_json(s));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->id, "c1");
  EXPECT_EQ(back->pid, 1234);
  EXPECT_EQ(back->pid_start_time, 777u);
  EXPECT_EQ(back->annotations.at("k"), "v");
  EXPECT_FALSE(back->own_pid_ns);
  EXPECT_EQ(back->cgroup["kind"], "v1");
}

TEST(StateJson, MissingFieldIsAnError) {
  auto r = state_from_json(nlohmann::json{{"id", "x"}});
  EXPECT_FALSE(r);
}

class StateDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-state-test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
  }
  void TearDown() override { (void)remove_tree(root_); }
  std::string root_;
};

TEST_F(StateDirTest, CreateRejectsDuplicateAndOpenFindsIt) {
  auto d = StateDir::create(root_, "c1");
  ASSERT_TRUE(d) << d.error().message;
  auto dup = StateDir::create(root_, "c1");
  ASSERT_FALSE(dup);
  EXPECT_NE(dup.error().message.find("already exists"), std::string::npos);
  ContainerState s;
  s.id = "c1";
  s.pid = 0;
  s.bundle = "/b";
  ASSERT_TRUE(d->save(s));
  d->remove();
  auto gone = StateDir::open(root_, "c1");
  ASSERT_FALSE(gone);
  EXPECT_NE(gone.error().message.find("does not exist"), std::string::npos);
}

TEST_F(StateDirTest, StatusIsStoppedForDeadPid) {
  auto d = StateDir::create(root_, "c2");
  ASSERT_TRUE(d);
  ContainerState s;
  s.id = "c2";
  s.pid = getpid();
  s.pid_start_time = 1;  // not our start time: a recycled pid
  EXPECT_EQ(container_status(s, *d), Status::Stopped);
}

TEST(Rfc3339, HasNanosecondsAndZulu) {
  auto t = now_rfc3339();
  ASSERT_EQ(t.size(), 30u) << t;
  EXPECT_EQ(t[10], 'T');
  EXPECT_EQ(t.back(), 'Z');
}

// Found by fuzz/fuzz_state: a float out of int range was cast (undefined), and
// a large integer wrapped into another pid.
TEST(StateJson, RefusesNumbersThatAreNotPids) {
  for (const char *text : {R"({"id":"c","pid":1e300,"pidStartTime":1,"bundle":"/b"})",
                           R"({"id":"c","pid":4294967297,"pidStartTime":1,"bundle":"/b"})",
                           R"({"id":"c","pid":-1,"pidStartTime":1,"bundle":"/b"})",
                           R"({"id":"c","pid":1,"pidStartTime":-1e300,"bundle":"/b"})",
                           R"({"id":"c","pid":1,"pidStartTime":-2,"bundle":"/b"})"}) {
    auto r = state_from_json(nlohmann::json::parse(text));
    ASSERT_FALSE(r) << text;
    EXPECT_NE(r.error().message.find("state.json: pid"), std::string::npos) << r.error().message;
  }
  EXPECT_TRUE(state_from_json(nlohmann::json::parse(R"({"id":"c","pid":2147483647,"pidStartTime":0,"bundle":"/b"})")));
}

TEST(StateDir, CreateMakesAMissingRootAndRefusesADuplicate) {
  char tmpl[] = "/tmp/berth-state-test-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string base = tmpl;
  // The container directory is tried first; the root only when it is missing.
  const std::string root = base + "/a/b/root";
  {
    auto d = StateDir::create(root, "c1");
    ASSERT_TRUE(d) << d.error().message;
    EXPECT_EQ(::access((root + "/c1").c_str(), F_OK), 0);
    auto again = StateDir::create(root, "c1");
    ASSERT_FALSE(again);
    EXPECT_NE(again.error().message.find("already exists"), std::string::npos);
    auto second = StateDir::create(root, "c2");
    EXPECT_TRUE(second) << second.error().message;
  }
  EXPECT_TRUE(mkdir_all(base + "/x/y/z", 0700));
  EXPECT_TRUE(mkdir_all(base + "/x/y/z", 0700));  // existing: fine
  EXPECT_EQ(::access((base + "/x/y/z").c_str(), F_OK), 0);
  EXPECT_TRUE(remove_tree(base));
}
