// crid's posix_spawn runner: output per line as it comes (what the pull
// helper's progress rides on), and the exit status.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crid/spawn.h"

using namespace berth::crid;

TEST(CridSpawn, StdoutLinesReachTheCallbackInOrder) {
  SpawnRequest r;
  r.argv = {"/bin/sh", "-c", "read x; echo \"got $x\"; echo two; printf 'no newline'; exit 3"};
  r.stdin_data = "in\n";
  std::vector<std::string> lines;
  r.on_stdout_line = [&](std::string_view line) { lines.emplace_back(line); };
  auto got = run_program(r);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->exit_code, 3);
  EXPECT_EQ(lines, (std::vector<std::string>{"got in", "two", "no newline"}));
  EXPECT_TRUE(got->out.empty());
}

TEST(CridSpawn, WithoutACallbackStdoutIsCollected) {
  SpawnRequest r;
  r.argv = {"/bin/sh", "-c", "echo out; echo err >&2"};
  auto got = run_program(r);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->exit_code, 0);
  EXPECT_EQ(got->out, "out\n");
  EXPECT_EQ(got->err, "err\n");
}

TEST(CridSpawn, AProgramThatCannotStartIsAnErrorNamingIt) {
  SpawnRequest r;
  r.argv = {"/nonexistent/crid-pull"};
  auto got = run_program(r);
  ASSERT_FALSE(got);
  EXPECT_NE(got.error().message.find("/nonexistent/crid-pull"), std::string::npos) << got.error().message;
}
