#include <gtest/gtest.h>
#include <unistd.h>

#include "libcontainer/proc_info.h"

using berth::parse_proc_stat;

TEST(ProcStat, ParsesStateAndStartTime) {
  auto st = parse_proc_stat("42 (sh) S 1 42 42 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 98765 2400000 200");
  ASSERT_TRUE(st);
  EXPECT_EQ(st->state, 'S');
  EXPECT_EQ(st->start_time, 98765u);
}

TEST(ProcStat, CommWithSpacesAndParentheses) {
  auto st = parse_proc_stat("7 (a ) b (c)) Z 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 555 0 0");
  ASSERT_TRUE(st);
  EXPECT_EQ(st->state, 'Z');
  EXPECT_EQ(st->start_time, 555u);
}

TEST(ProcStat, RejectsTruncatedText) {
  EXPECT_FALSE(parse_proc_stat("1 (init) S 0 1"));
  EXPECT_FALSE(parse_proc_stat("garbage"));
}

TEST(ProcStat, OwnProcessIsAliveOnlyWithItsStartTime) {
  auto st = berth::read_proc_stat(getpid());
  ASSERT_TRUE(st);
  EXPECT_TRUE(berth::process_is_alive(getpid(), st->start_time));
  // The same pid with another start time is a recycled pid, not our process.
  EXPECT_FALSE(berth::process_is_alive(getpid(), st->start_time + 1));
  EXPECT_FALSE(berth::process_is_alive(0, st->start_time));
}
