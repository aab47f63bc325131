#include "libcontainer/exec.h"

#include <gtest/gtest.h>

#include <fstream>

namespace berth {
namespace {

TEST(ExecProcess, OverridesApplyOnTheConfigProcess) {
  Process config;
  config.args = {"sh"};
  config.env = {"PATH=/bin", "A=1"};
  config.cwd = "/";
  config.terminal = true;
  config.user.uid = 5;
  config.capabilities = Capabilities{{"CAP_KILL"}, {"CAP_KILL"}, {}, {"CAP_KILL"}, {}};
  ExecOverrides o;
  o.args = {"id", "-u"};
  o.env = {"A=2", "B=3"};
  o.cwd = "/tmp";
  o.uid = 1000;
  o.caps = {"CAP_NET_ADMIN", "CAP_KILL"};
  o.no_new_privs = true;
  auto p = exec_process(config, o);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->args, (std::vector<std::string>{"id", "-u"}));
  EXPECT_EQ(p->env, (std::vector<std::string>{"PATH=/bin", "A=2", "B=3"}));
  EXPECT_EQ(p->cwd, "/tmp");
  EXPECT_EQ(p->user.uid, 1000u);
  EXPECT_EQ(p->user.gid, 0u);
  EXPECT_FALSE(p->terminal);  // --tty's, not the config's
  EXPECT_TRUE(p->no_new_privileges);
  EXPECT_EQ(p->capabilities->bounding, (std::vector<std::string>{"CAP_KILL", "CAP_NET_ADMIN"}));
  EXPECT_EQ(p->capabilities->ambient, (std::vector<std::string>{"CAP_NET_ADMIN", "CAP_KILL"}));
}

TEST(ExecProcess, RejectsAnEnvEntryWithoutEquals) {
  Process config;
  ExecOverrides o;
  o.args = {"true"};
  o.env = {"NOEQUALS"};
  auto p = exec_process(config, o);
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().message.find("NOEQUALS"), std::string::npos);
}

TEST(ExecUser, ParsesUidAndOptionalGid) {
  auto a = parse_exec_user("1000");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->first, 1000u);
  EXPECT_FALSE(a->second);
  auto b = parse_exec_user("1:2");
  ASSERT_TRUE(b);
  EXPECT_EQ(*b->second, 2u);
  EXPECT_FALSE(parse_exec_user("root"));
  EXPECT_FALSE(parse_exec_user("1:"));
}

TEST(ProcessFile, ErrorsNameTheFileAndPath) {
  std::string path = ::testing::TempDir() + "/berth-process.json";
  {
    std::ofstream f(path);
    f << R"({"cwd": "/", "args": "notalist"})";
  }
  auto p = load_process_file(path);
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().message.find("berth-process.json: process.args"), std::string::npos) << p.error().message;
  {
    std::ofstream f(path);
    f << R"({"cwd": "/w", "args": ["ls"], "env": ["X=1"], "user": {"uid": 7, "gid": 8}})";
  }
  auto q = load_process_file(path);
  ASSERT_TRUE(q) << q.error().message;
  EXPECT_EQ(q->user.uid, 7u);
  EXPECT_EQ(q->cwd, "/w");
  ::unlink(path.c_str());
}

}  // namespace
}  // namespace berth
