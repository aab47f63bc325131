#include "crid/ctl/log_line.h"

#include <gtest/gtest.h>

#include "crid/ctl/log_since.h"

namespace berth::cridctl {
namespace {

constexpr int64_t kT0 = 1700000000LL * 1000000000LL;

TEST(CridctlLogLine, ParsesFullAndPartialRecords) {
  auto r = parse_cri_log_line("2023-11-14T22:13:20.123456789Z stdout F hello world");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->time_ns, kT0 + 123456789);
  EXPECT_EQ(r->stream, LogStream::Stdout);
  EXPECT_FALSE(r->partial);
  EXPECT_EQ(r->content, "hello world");

  r = parse_cri_log_line("2023-11-14T22:13:20Z stderr P  two spaces");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->stream, LogStream::Stderr);
  EXPECT_TRUE(r->partial);
  EXPECT_EQ(r->content, " two spaces");

  r = parse_cri_log_line("2023-11-14T22:13:20Z stdout F ");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->content, "");
  r = parse_cri_log_line("2023-11-14T22:13:20Z stdout F");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->content, "");
  r = parse_cri_log_line("2023-11-15T00:13:20.5+02:00 stdout P:x y");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->time_ns, kT0 + 500000000);
  EXPECT_TRUE(r->partial);
}

TEST(CridctlLogLine, RejectsBrokenLines) {
  EXPECT_FALSE(parse_cri_log_line("garbage"));
  EXPECT_FALSE(parse_cri_log_line("2023-11-14T22:13:20Z stdin F x"));
  EXPECT_FALSE(parse_cri_log_line("2023-11-14T22:13:20Z stdout X x"));
  EXPECT_FALSE(parse_cri_log_line("2023-11-14 stdout F x"));
}

struct Captured {
  std::string out, err;
  LogWriter::Sink sink() {
    return [this](LogStream s, std::string_view t) { (s == LogStream::Stdout ? out : err) += t; };
  }
};

LogRecord rec(int64_t t, LogStream s, bool partial, std::string c) { return {t, s, partial, std::move(c)}; }

TEST(CridctlLogWriter, JoinsPartialsAndSplitsStreams) {
  Captured c;
  LogWriter w({}, c.sink());
  w.write(rec(kT0, LogStream::Stdout, true, "hel"));
  w.write(rec(kT0, LogStream::Stderr, false, "oops"));
  w.write(rec(kT0, LogStream::Stdout, false, "lo"));
  EXPECT_EQ(c.out, "hello\n");
  EXPECT_EQ(c.err, "oops\n");
}

TEST(CridctlLogWriter, TimestampOnlyAtLineStart) {
  Captured c;
  LogWriter w({.timestamps = true}, c.sink());
  w.write(rec(kT0 + 1, LogStream::Stdout, true, "a"));
  w.write(rec(kT0 + 2, LogStream::Stdout, false, "b"));
  w.write(rec(kT0 + 3, LogStream::Stdout, false, "c"));
  EXPECT_EQ(c.out,
            "2023-11-14T22:13:20.000000001Z ab\n"
            "2023-11-14T22:13:20.000000003Z c\n");
}

TEST(CridctlLogWriter, SinceAndStreamFilters) {
  Captured c;
  LogWriter w({.since_ns = kT0 + 10, .only_stream = LogStream::Stdout}, c.sink());
  w.write(rec(kT0, LogStream::Stdout, false, "old"));
  w.write(rec(kT0 + 10, LogStream::Stdout, false, "new"));
  w.write(rec(kT0 + 20, LogStream::Stderr, false, "err"));
  EXPECT_EQ(c.out, "new\n");
  EXPECT_EQ(c.err, "");
}

TEST(CridctlLogTail, OffsetOfLastLines) {
  std::string text = "a\nb\nc\n";
  EXPECT_EQ(text.substr(tail_offset(text, 2)), "b\nc\n");
  EXPECT_EQ(text.substr(tail_offset(text, 3)), text);
  EXPECT_EQ(text.substr(tail_offset(text, 10)), text);
  EXPECT_EQ(text.substr(tail_offset(text, 0)), "");
  EXPECT_EQ(std::string("a\nb").substr(tail_offset("a\nb", 1)), "b");
  EXPECT_EQ(tail_offset("", 3), 0u);
}

TEST(CridctlLogSince, DurationsTimesAndSeconds) {
  auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));
  EXPECT_EQ(*parse_go_duration("1h30m"), 5400LL * 1000000000LL);
  EXPECT_EQ(*parse_go_duration("1.5s"), 1500000000LL);
  EXPECT_EQ(*parse_go_duration("300ms"), 300000000LL);
  EXPECT_FALSE(parse_go_duration("5 minutes"));
  EXPECT_EQ(*parse_since("10s", now), kT0 - 10000000000LL);
  EXPECT_EQ(*parse_since("2023-11-14T22:13:20Z", now), kT0);
  EXPECT_EQ(*parse_since("1700000000", now), kT0);
  EXPECT_FALSE(parse_since("yesterday", now));
}

}  // namespace
}  // namespace berth::cridctl
