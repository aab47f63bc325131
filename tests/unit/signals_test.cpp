#include <gtest/gtest.h>
#include <signal.h>

#include "libcontainer/signals.h"

using berth::parse_signal;

TEST(Signals, NamesWithAndWithoutPrefixAndNumbers) {
  EXPECT_EQ(parse_signal("SIGTERM"), SIGTERM);
  EXPECT_EQ(parse_signal("TERM"), SIGTERM);
  EXPECT_EQ(parse_signal("term"), SIGTERM);
  EXPECT_EQ(parse_signal("9"), SIGKILL);
  EXPECT_EQ(parse_signal("SIGUSR1"), SIGUSR1);
  EXPECT_EQ(parse_signal("RTMIN+2"), SIGRTMIN + 2);
  EXPECT_EQ(parse_signal("SIGRTMAX-1"), SIGRTMAX - 1);
}

TEST(Signals, RejectsUnknown) {
  EXPECT_FALSE(parse_signal("SIGFOO"));
  EXPECT_FALSE(parse_signal("0"));
  EXPECT_FALSE(parse_signal("-3"));
  EXPECT_FALSE(parse_signal("999"));
  EXPECT_FALSE(parse_signal("RTMIN+100"));
  EXPECT_FALSE(parse_signal(""));
}
