#include <gtest/gtest.h>

#include "runtime/cli.h"

using namespace berth::cli;

static const std::vector<Option> kOpts = {
    {"bundle", 'b', true, "bundle"},
    {"detach", 'd', false, "detach"},
    {"pid-file", 0, true, "pid file"},
};

static std::vector<std::string> argv(std::initializer_list<const char *> a) { return {a.begin(), a.end()}; }

TEST(Cli, LongShortGoStyleAndInlineValues) {
  auto p = parse(argv({"x", "--bundle", "/b", "-d", "--pid-file=/p", "id"}), 1, kOpts, false);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->get("bundle"), "/b");
  EXPECT_TRUE(p->flag("detach"));
  EXPECT_EQ(p->get("pid-file"), "/p");
  ASSERT_EQ(p->positional.size(), 1u);
  EXPECT_EQ(p->positional[0], "id");

  auto q = parse(argv({"x", "-bundle", "/c", "-b", "/d", "id"}), 1, kOpts, false);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->get("bundle"), "/d");
}

TEST(Cli, StopsAtPositionalWhenAsked) {
  auto p = parse(argv({"x", "--detach", "create", "--bundle", "/b"}), 1, kOpts, true);
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->flag("detach"));
  ASSERT_EQ(p->positional.size(), 3u);
  EXPECT_EQ(p->positional[0], "create");
}

TEST(Cli, ErrorsNameTheFlag) {
  auto p = parse(argv({"x", "--nope"}), 1, kOpts, false);
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().message.find("-nope"), std::string::npos);
  auto q = parse(argv({"x", "--bundle"}), 1, kOpts, false);
  ASSERT_FALSE(q);
  EXPECT_NE(q.error().message.find("needs an argument"), std::string::npos);
  auto r = parse(argv({"x", "--detach=maybe"}), 1, kOpts, false);
  ASSERT_FALSE(r);
}

TEST(Cli, HelpAndDoubleDash) {
  auto p = parse(argv({"x", "-h"}), 1, kOpts, false);
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->help);
  auto q = parse(argv({"x", "--", "-d"}), 1, kOpts, false);
  ASSERT_TRUE(q);
  EXPECT_FALSE(q->flag("detach"));
  ASSERT_EQ(q->positional.size(), 1u);
}
