#include "crid/monitor/cri_log_writer.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "crid/monitor/oom_counter.h"
#include "libcontainer/file_util.h"

namespace berth::crid::monitor {
namespace {

class CriLog : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/crid-monitor-log-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/ctr.log";
  }
  void TearDown() override { (void)remove_tree(dir_); }

  std::vector<std::string> lines(const std::string &path) {
    auto text = read_file(path);
    EXPECT_TRUE(text) << text.error().message;
    std::vector<std::string> out;
    size_t start = 0;
    for (size_t nl; (nl = text->find('\n', start)) != std::string::npos; start = nl + 1)
      out.push_back(text->substr(start, nl - start));
    EXPECT_EQ(start, text->size()) << "the file ends in the middle of a record";
    return out;
  }

  std::string dir_, path_;
  struct timespec when_ = {1475713029, 669794202};  // 2016-10-06T00:17:09.669794202Z
};

TEST(CriTimestamp, IsRfc3339NanoUtcWithNineDigits) {
  EXPECT_EQ(cri_timestamp({1475713029, 669794202}), "2016-10-06T00:17:09.669794202Z");
  EXPECT_EQ(cri_timestamp({0, 5}), "1970-01-01T00:00:00.000000005Z");
  // The hand-made calendar against gmtime_r + strftime: leap days, century
  // years, year ends, every 7 hours 13 minutes over 1970..2400.
  for (int64_t t = 0; t < int64_t(13569465600); t += 7 * 3600 + 13 * 60 + 7) {
    struct tm tm;
    time_t tt = static_cast<time_t>(t);
    ::gmtime_r(&tt, &tm);
    char want[40];
    size_t n = ::strftime(want, sizeof want, "%Y-%m-%dT%H:%M:%S.000000042Z", &tm);
    ASSERT_EQ(cri_timestamp({tt, 42}), std::string(want, n)) << t;
  }
  EXPECT_EQ(cri_timestamp({951782400, 0}), "2000-02-29T00:00:00.000000000Z");
  EXPECT_EQ(cri_timestamp({4107542399, 999999999}), "2100-02-28T23:59:59.999999999Z");
}

TEST_F(CriLog, FullLinesAreFRecords) {
  CriLogWriter w(path_);
  ASSERT_TRUE(w.open());
  w.write(Stream::Stdout, "hello\nworld\n", when_);
  w.write(Stream::Stderr, "oops\n", when_);
  EXPECT_EQ(lines(path_), (std::vector<std::string>{
                              "2016-10-06T00:17:09.669794202Z stdout F hello",
                              "2016-10-06T00:17:09.669794202Z stdout F world",
                              "2016-10-06T00:17:09.669794202Z stderr F oops",
                          }));
  struct stat st;
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
}

TEST_F(CriLog, TrailingPieceIsPartialAndTheNextChunkEndsIt) {
  CriLogWriter w(path_);
  ASSERT_TRUE(w.open());
  w.write(Stream::Stdout, "a\nbeginning ", when_);
  w.write(Stream::Stdout, "end\n", when_);
  EXPECT_EQ(lines(path_), (std::vector<std::string>{
                              "2016-10-06T00:17:09.669794202Z stdout F a",
                              "2016-10-06T00:17:09.669794202Z stdout P beginning ",
                              "2016-10-06T00:17:09.669794202Z stdout F end",
                          }));
}

TEST_F(CriLog, EmptyLinesAreKept) {
  CriLogWriter w(path_);
  ASSERT_TRUE(w.open());
  w.write(Stream::Stdout, "\n\nx\n", when_);
  auto l = lines(path_);
  ASSERT_EQ(l.size(), 3u);
  EXPECT_EQ(l[0], "2016-10-06T00:17:09.669794202Z stdout F ");
  EXPECT_EQ(l[2], "2016-10-06T00:17:09.669794202Z stdout F x");
}

TEST_F(CriLog, LongLinesSplitIntoPartialRecords) {
  CriLogWriter w(path_);
  ASSERT_TRUE(w.open());
  std::string longline(CriLogWriter::kMaxRecord * 2 + 10, 'x');
  w.write(Stream::Stderr, longline + "\n", when_);
  auto l = lines(path_);
  ASSERT_EQ(l.size(), 3u);
  std::string prefix = "2016-10-06T00:17:09.669794202Z stderr ";
  EXPECT_EQ(l[0], prefix + "P " + std::string(CriLogWriter::kMaxRecord, 'x'));
  EXPECT_EQ(l[1], prefix + "P " + std::string(CriLogWriter::kMaxRecord, 'x'));
  EXPECT_EQ(l[2], prefix + "F " + std::string(10, 'x'));
}

TEST_F(CriLog, ReopenStartsANewFileAfterARename) {
  CriLogWriter w(path_);
  ASSERT_TRUE(w.open());
  w.write(Stream::Stdout, "one\n", when_);
  ASSERT_EQ(::rename(path_.c_str(), (path_ + ".1").c_str()), 0);
  w.write(Stream::Stdout, "two\n", when_);
  ASSERT_TRUE(w.reopen());
  w.write(Stream::Stdout, "three\n", when_);
  EXPECT_EQ(lines(path_ + ".1").size(), 2u);
  EXPECT_EQ(lines(path_), std::vector<std::string>{"2016-10-06T00:17:09.669794202Z stdout F three"});
}

TEST_F(CriLog, AFailedOpenIsRetriedOnTheNextWrite) {
  std::string nested = dir_ + "/later/ctr.log";
  CriLogWriter w(nested);
  EXPECT_FALSE(w.open());
  w.write(Stream::Stdout, "lost\n", when_);
  EXPECT_NE(w.last_error().find("No such file or directory"), std::string::npos) << w.last_error();
  ASSERT_EQ(::mkdir((dir_ + "/later").c_str(), 0755), 0);
  w.write(Stream::Stdout, "kept\n", when_);
  EXPECT_EQ(w.last_error(), "");
  EXPECT_EQ(lines(nested), std::vector<std::string>{"2016-10-06T00:17:09.669794202Z stdout F kept"});
}

TEST_F(CriLog, NoPathDropsOutput) {
  CriLogWriter w("");
  ASSERT_TRUE(w.open());
  w.write(Stream::Stdout, "x\n", when_);
  EXPECT_EQ(w.last_error(), "");
}

TEST(OomCounter, ParsesTheOomKillLine) {
  EXPECT_EQ(parse_oom_kill("oom_kill_disable 0\nunder_oom 0\noom_kill 3\n"), 3u);
  EXPECT_EQ(parse_oom_kill("low 0\nhigh 0\nmax 2\noom 1\noom_kill 1\noom_group_kill 0\n"), 1u);
  EXPECT_EQ(parse_oom_kill("oom_kill_disable 0\n"), std::nullopt);
}

TEST(OomCounter, FindsTheV1MemoryCgroupFirst) {
  std::string proc = "12:pids:/crid/crid-abc\n7:cpu,cpuacct:/crid/crid-abc\n4:memory:/crid/crid-abc\n0::/\n";
  EXPECT_EQ(OomCounter::counter_file(proc, "/sys/fs/cgroup"),
            "/sys/fs/cgroup/memory/crid/crid-abc/memory.oom_control");
}

TEST(OomCounter, FallsBackToCgroupV2) {
  EXPECT_EQ(OomCounter::counter_file("0::/crid/crid-abc\n", "/nonexistent-cgroup-root"),
            "/nonexistent-cgroup-root/unified/crid/crid-abc/memory.events");
}

}  // namespace
}  // namespace berth::crid::monitor
