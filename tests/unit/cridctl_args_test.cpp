#include "crid/ctl/cli_args.h"

#include <gtest/gtest.h>

namespace berth::cridctl {
namespace {

const std::vector<FlagSpec> kSpecs = {
    {"all", 'a'}, {"quiet", 'q'}, {"output", 'o', true}, {"label", 0, true, true}, {"last", 'n', true}};

TEST(CridctlArgs, LongShortGroupedAndRepeatable) {
  auto a = parse_flags({"-aq", "--output=json", "--label", "a=1", "x", "--label=b=2", "-n3"}, kSpecs);
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_TRUE(a->has("all"));
  EXPECT_TRUE(a->has("quiet"));
  EXPECT_EQ(a->value("output"), "json");
  EXPECT_EQ(a->all("label"), (std::vector<std::string>{"a=1", "b=2"}));
  EXPECT_EQ(a->value("last"), "3");
  EXPECT_EQ(a->positional, (std::vector<std::string>{"x"}));
}

TEST(CridctlArgs, LastValueWinsForPlainFlags) {
  auto a = parse_flags({"-o", "json", "-o", "yaml"}, kSpecs);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->all("output"), (std::vector<std::string>{"yaml"}));
}

TEST(CridctlArgs, Errors) {
  EXPECT_EQ(parse_flags({"--nope"}, kSpecs).error().message, "unknown flag --nope");
  EXPECT_EQ(parse_flags({"-z"}, kSpecs).error().message, "unknown flag -z");
  EXPECT_EQ(parse_flags({"--output"}, kSpecs).error().message, "flag --output needs a value");
  EXPECT_EQ(parse_flags({"--all=1"}, kSpecs).error().message, "flag --all takes no value");
}

TEST(CridctlArgs, StopsAfterPositionalsForExec) {
  auto a = parse_flags({"-q", "ctr", "sh", "-c", "echo -a"}, kSpecs, 1);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->positional, (std::vector<std::string>{"ctr", "sh", "-c", "echo -a"}));
  EXPECT_FALSE(a->has("all"));
}

TEST(CridctlArgs, DoubleDashEndsFlags) {
  auto a = parse_flags({"--", "-a"}, kSpecs);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->positional, (std::vector<std::string>{"-a"}));
}

TEST(CridctlArgs, Labels) {
  auto l = parse_labels({"app=web", "tier="});
  ASSERT_TRUE(l);
  EXPECT_EQ(l->at("app"), "web");
  EXPECT_EQ(l->at("tier"), "");
  EXPECT_FALSE(parse_labels({"novalue"}));
  EXPECT_FALSE(parse_labels({"a=b=c"}));
}

TEST(CridctlArgs, Integers) {
  EXPECT_EQ(*parse_integer("--tail", "10"), 10);
  EXPECT_EQ(parse_integer("--tail", "ten").error().message, "--tail: expected an integer, got \"ten\"");
  EXPECT_FALSE(parse_integer("--tail", ""));
}

}  // namespace
}  // namespace berth::cridctl
