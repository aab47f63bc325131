#include "crid/container_stats.h"

#include "cgroups/manager.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace berth::crid {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string t = (fs::temp_directory_path() / "crid-stats-XXXXXX").string();
    path_ = ::mkdtemp(t.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  const std::string &path() const { return path_; }
  std::string write(const std::string &rel, const std::string &text) const {
    fs::path p = fs::path(path_) / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p.string();
  }

 private:
  std::string path_;
};

// A v1 container cgroup as the kernel shows it, one dir per controller.
TEST(CridStats, MemoryAndCpuFromV1Files) {
  TempDir d;
  d.write("memory/c/memory.usage_in_bytes", "10485760\n");
  d.write("memory/c/memory.max_usage_in_bytes", "20000000\n");
  d.write("memory/c/memory.limit_in_bytes", "104857600\n");
  d.write("memory/c/memory.failcnt", "0\n");
  d.write("memory/c/memory.stat",
          "cache 4096\nrss 8192\ninactive_file 100\n"
          "total_cache 2097152\ntotal_rss 6291456\ntotal_inactive_file 1048576\n"
          "total_pgfault 1234\ntotal_pgmajfault 5\n");
  d.write("cpuacct/c/cpuacct.usage", "2500000000\n");
  d.write("pids/c/pids.current", "3\n");
  auto stats = cgroups::read_stats_v1(
      [&](std::string_view ctrl) { return ctrl == "memory" || ctrl == "cpuacct" || ctrl == "pids"
                                              ? d.path() + "/" + std::string(ctrl) + "/c" : std::string(); },
      "");
  ASSERT_TRUE(stats) << stats.error().message;

  auto mem = memory_usage(*stats, 42);
  EXPECT_EQ(mem.timestamp(), 42);
  EXPECT_EQ(mem.usage_bytes().value(), 10485760u);
  EXPECT_EQ(mem.working_set_bytes().value(), 10485760u - 1048576u);  // usage minus total_inactive_file
  EXPECT_EQ(mem.rss_bytes().value(), 6291456u);
  EXPECT_EQ(mem.page_faults().value(), 1234u);
  EXPECT_EQ(mem.major_page_faults().value(), 5u);
  ASSERT_TRUE(mem.has_available_bytes());
  EXPECT_EQ(mem.available_bytes().value(), 104857600u - (10485760u - 1048576u));

  auto cpu = cpu_usage(*stats, 42, std::nullopt);
  EXPECT_EQ(cpu.usage_core_nano_seconds().value(), 2500000000u);
  EXPECT_FALSE(cpu.has_usage_nano_cores());
  EXPECT_EQ(cpu_usage(*stats, 42, 7).usage_nano_cores().value(), 7u);
}

TEST(CridStats, UnlimitedV1MemoryHasNoAvailableBytes) {
  TempDir d;
  d.write("m/memory.usage_in_bytes", "4096\n");
  d.write("m/memory.limit_in_bytes", "9223372036854771712\n");
  d.write("m/memory.stat", "total_inactive_file 8192\ntotal_rss 0\n");
  auto stats = cgroups::read_stats_v1(
      [&](std::string_view ctrl) { return ctrl == "memory" ? d.path() + "/m" : std::string(); }, "");
  ASSERT_TRUE(stats);
  auto mem = memory_usage(*stats, 1);
  EXPECT_FALSE(mem.has_available_bytes());
  EXPECT_EQ(mem.working_set_bytes().value(), 0u);  // inactive above usage: never below zero
}

TEST(CridStats, MemoryCpuAndSwapFromV2Files) {
  TempDir d;
  d.write("cpu.stat", "usage_usec 1500000\nuser_usec 1000000\nsystem_usec 500000\n");
  d.write("memory.current", "8388608\n");
  d.write("memory.max", "16777216\n");
  d.write("memory.stat", "anon 4194304\nfile 4194304\ninactive_file 2097152\npgfault 99\npgmajfault 2\n");
  d.write("memory.swap.current", "1024\n");
  d.write("memory.swap.max", "max\n");
  d.write("pids.current", "2\n");
  auto stats = cgroups::read_stats_v2(d.path());
  ASSERT_TRUE(stats) << stats.error().message;

  auto cpu = cpu_usage(*stats, 5, std::nullopt);
  EXPECT_EQ(cpu.usage_core_nano_seconds().value(), 1500000000u);
  auto mem = memory_usage(*stats, 5);
  EXPECT_EQ(mem.usage_bytes().value(), 8388608u);
  EXPECT_EQ(mem.working_set_bytes().value(), 8388608u - 2097152u);
  EXPECT_EQ(mem.rss_bytes().value(), 4194304u);
  EXPECT_EQ(mem.page_faults().value(), 99u);
  EXPECT_EQ(mem.major_page_faults().value(), 2u);
  EXPECT_EQ(mem.available_bytes().value(), 16777216u - (8388608u - 2097152u));
  auto swap = swap_usage(*stats, 5);
  EXPECT_EQ(swap.swap_usage_bytes().value(), 1024u);
  EXPECT_FALSE(swap.has_swap_available_bytes());  // swap.max "max"
}

TEST(CridStats, V1SwapIsMemswMinusMemory) {
  TempDir d;
  d.write("m/memory.usage_in_bytes", "1000\n");
  d.write("m/memory.limit_in_bytes", "4000\n");
  d.write("m/memory.memsw.usage_in_bytes", "1500\n");
  d.write("m/memory.memsw.limit_in_bytes", "6000\n");
  d.write("m/memory.stat", "total_inactive_file 0\ntotal_rss 1000\n");
  auto stats = cgroups::read_stats_v1(
      [&](std::string_view ctrl) { return ctrl == "memory" ? d.path() + "/m" : std::string(); }, "");
  ASSERT_TRUE(stats);
  auto swap = swap_usage(*stats, 1);
  EXPECT_EQ(swap.swap_usage_bytes().value(), 500u);
  EXPECT_EQ(swap.swap_available_bytes().value(), 2000u - 500u);
}

TEST(CridStats, NanoCoresBetweenTwoSamples) {
  // Half a core: 0.5 s of CPU over 1 s.
  EXPECT_EQ(nano_cores({1'000'000'000, 10'000'000'000}, {1'500'000'000, 11'000'000'000}), 500'000'000u);
  // Two cores busy for 250 ms.
  EXPECT_EQ(nano_cores({0, 0}, {500'000'000, 250'000'000}), 2'000'000'000u);
  EXPECT_EQ(nano_cores({5, 100}, {5, 100}), 0u);    // no time passed
  EXPECT_EQ(nano_cores({900, 100}, {100, 200}), 0u);  // counter went back: cgroup remade
}

TEST(CridStats, SampleCacheReportsTheRateSinceThePreviousCall) {
  CpuSampleCache cache;
  EXPECT_FALSE(cache.update("c1", {100, 1'000'000'000}));
  auto rate = cache.update("c1", {100 + 250'000'000, 2'000'000'000});
  ASSERT_TRUE(rate);
  EXPECT_EQ(*rate, 250'000'000u);
  EXPECT_FALSE(cache.update("c2", {0, 2'000'000'000}));  // per id
  cache.forget("c1");
  EXPECT_FALSE(cache.update("c1", {0, 3'000'000'000}));
}

TEST(CridStats, DiskUsageCountsBlocksAndInodesOnceForHardLinks) {
  TempDir d;
  std::string big(100000, 'x');
  auto f = d.write("upper/a/file", big);
  d.write("upper/b", "y");
  ASSERT_EQ(::link(f.c_str(), (d.path() + "/upper/a/link").c_str()), 0);
  ASSERT_EQ(::symlink("/nowhere", (d.path() + "/upper/sym").c_str()), 0);
  auto du = disk_usage(d.path() + "/upper");
  ASSERT_TRUE(du) << du.error().message;
  EXPECT_EQ(du->inodes, 5u);  // upper, a, file (+link once), b, sym
  struct stat st;
  ASSERT_EQ(::stat(f.c_str(), &st), 0);
  EXPECT_GE(du->bytes, uint64_t(st.st_blocks) * 512);
  EXPECT_LT(du->bytes, uint64_t(st.st_blocks) * 512 * 2 + 64 * 1024);
}

TEST(CridStats, DiskUsageOfAMissingDirIsAnError) {
  auto du = disk_usage("/nonexistent/crid-upper");
  ASSERT_FALSE(du);
  EXPECT_EQ(du.error().code, ENOENT);
  EXPECT_NE(du.error().message.find("/nonexistent/crid-upper"), std::string::npos);
}

TEST(CridStats, NetworkCountersFromProcNetDev) {
  const char *text =
      "Inter-|   Receive                                                |  Transmit\n"
      " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n"
      "    lo:     840      10    0    0    0     0          0         0      840      10    0    0    0     0       0          0\n"
      "  eth0:   12345      50    2    0    0     0          0         0     6789      40    1    0    0     0       0          0\n";
  auto n = network_usage(text, 9);
  EXPECT_EQ(n.timestamp(), 9);
  ASSERT_EQ(n.interfaces_size(), 1);
  EXPECT_EQ(n.default_interface().name(), "eth0");
  EXPECT_EQ(n.default_interface().rx_bytes().value(), 12345u);
  EXPECT_EQ(n.default_interface().rx_errors().value(), 2u);
  EXPECT_EQ(n.default_interface().tx_bytes().value(), 6789u);
  EXPECT_EQ(n.default_interface().tx_errors().value(), 1u);
}

TEST(CridStats, StoppedContainerHasAttributesAndWritableLayerOnly) {
  TempDir d;
  d.write("upper/f", "data");
  ContainerStatsInput in;
  in.attributes.set_id("c0ffee");
  in.attributes.mutable_metadata()->set_name("web");
  in.cgroups_path = "/crid-test-no-such-cgroup/crid-c0ffee";
  in.upper_dir = d.path() + "/upper";
  in.fs_mountpoint = d.path();
  CpuSampleCache cache;
  auto s = container_stats(in, cache);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->attributes().id(), "c0ffee");
  EXPECT_EQ(s->attributes().metadata().name(), "web");
  EXPECT_FALSE(s->has_cpu());
  EXPECT_FALSE(s->has_memory());
  ASSERT_TRUE(s->has_writable_layer());
  EXPECT_EQ(s->writable_layer().fs_id().mountpoint(), d.path());
  EXPECT_EQ(s->writable_layer().inodes_used().value(), 2u);
}

// A real cgroup of this host (whatever its layout) holding a sleeping child.
TEST(CridStats, ReadsALiveCgroup) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to make a cgroup";
  std::string path = fmt::format("/crid-stats-test-{}", ::getpid());
  auto manager = cgroups::make_manager(path, "t");
  ASSERT_TRUE(manager) << manager.error().message;
  auto created = (*manager)->create();
  if (!created) GTEST_SKIP() << created.error().message;
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  pid_t child = ::fork();
  if (child == 0) {
    // Pages are charged to the cgroup of whoever first touches them: once inside.
    char c;
    ::close(ready[1]);
    (void)::read(ready[0], &c, 1);
    static char block[8 << 20];
    std::memset(block, 1, sizeof block);
    ::pause();
    ::_exit(0);
  }
  auto added = (*manager)->add_process(child);
  ::close(ready[0]);
  ::close(ready[1]);
  ::usleep(200000);
  auto u = read_cgroup_usage(path, "t");
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  auto gone = read_cgroup_usage(path, "t");
  (void)(*manager)->destroy();
  ASSERT_TRUE(added) << added.error().message;
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_EQ(u->processes, 1u);
  auto mem = memory_usage(u->stats, 1);
  EXPECT_GT(mem.usage_bytes().value(), 0u);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, ENOENT);
}

// A process in a cgroup of its own, removed with the object.
class LiveCgroup {
 public:
  explicit LiveCgroup(const std::string &path) : path_(path) {
    auto m = cgroups::make_manager(path, "t");
    if (!m) return;
    manager_ = std::move(*m);
    if (!manager_->create()) return;
    child_ = ::fork();
    if (child_ == 0) {
      ::pause();
      ::_exit(0);
    }
    ok_ = bool(manager_->add_process(child_));
  }
  ~LiveCgroup() {
    if (child_ > 0) {
      ::kill(child_, SIGKILL);
      ::waitpid(child_, nullptr, 0);
    }
    if (manager_) (void)manager_->destroy();
  }
  bool ok() const { return ok_; }
  pid_t pid() const { return child_; }
  const std::string &path() const { return path_; }

 private:
  std::string path_;
  std::unique_ptr<cgroups::Manager> manager_;
  pid_t child_ = -1;
  bool ok_ = false;
};

TEST(CridStats, PodStatsSumTheInfraAndContainersWithoutAPodCgroup) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to make cgroups";
  std::string base = fmt::format("/crid-podstats-test-{}", ::getpid());
  {
    LiveCgroup infra(base + "/crid-pod"), c1(base + "/crid-c1"), c2(base + "/crid-c2");
    if (!infra.ok() || !c1.ok() || !c2.ok()) GTEST_SKIP() << "cannot make cgroups here";
    PodSandboxStatsInput in;
    in.attributes.set_id("pod");
    in.attributes.mutable_metadata()->set_name("p1");
    in.infra_cgroups_path = infra.path();
    in.infra_pid = infra.pid();
    for (auto *c : {&c1, &c2}) {
      ContainerStatsInput ci;
      ci.attributes.set_id(c->path().substr(c->path().rfind('-') + 1));
      ci.cgroups_path = c->path();
      in.containers.push_back(ci);
    }
    // One container already gone: listed without usage, not an error.
    ContainerStatsInput gone;
    gone.attributes.set_id("gone");
    gone.cgroups_path = base + "/crid-gone";
    in.containers.push_back(gone);

    CpuSampleCache cache;
    auto s = pod_sandbox_stats(in, cache);
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(s->attributes().metadata().name(), "p1");
    ASSERT_EQ(s->linux().containers_size(), 3);
    EXPECT_EQ(s->linux().containers(0).attributes().id(), "c1");
    EXPECT_TRUE(s->linux().containers(0).has_cpu());
    EXPECT_FALSE(s->linux().containers(2).has_cpu());
    EXPECT_EQ(s->linux().process().process_count().value(), 3u);
    uint64_t sum = s->linux().containers(0).cpu().usage_core_nano_seconds().value() +
                   s->linux().containers(1).cpu().usage_core_nano_seconds().value();
    EXPECT_GE(s->linux().cpu().usage_core_nano_seconds().value(), sum);
    EXPECT_FALSE(s->linux().memory().has_available_bytes());  // a sum has no limit
    EXPECT_TRUE(s->linux().has_network());

    // The second call has a rate for the pod and for each container.
    auto again = pod_sandbox_stats(in, cache);
    ASSERT_TRUE(again);
    EXPECT_TRUE(again->linux().cpu().has_usage_nano_cores());
    EXPECT_TRUE(again->linux().containers(1).cpu().has_usage_nano_cores());
  }
  for (const char *ctrl : {"memory", "cpu,cpuacct", "pids"})
    EXPECT_FALSE(fs::exists(fmt::format("/sys/fs/cgroup/{}{}/crid-pod", ctrl, base)));
  for (const auto &e : fs::directory_iterator("/sys/fs/cgroup"))
    if (fs::exists(e.path().string() + base)) ::rmdir((e.path().string() + base).c_str());
}

}  // namespace
}  // namespace berth::crid
