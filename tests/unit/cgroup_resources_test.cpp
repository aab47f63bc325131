// linux.resources on cgroups: the v1->v2 conversions, device rules and the
// eBPF device filter, and (as root) the v1 files written and read back on
// this host, the filter enforced in its cgroup2 hierarchy, stats.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "cgroups/cgroupfs.h"
#include "cgroups/convert.h"
#include "cgroups/device_filter.h"
#include "cgroups/device_rules.h"
#include "cgroups/manager.h"
#include "cgroups/stats.h"
#include "cgroups/v1_manager.h"
#include "cgroups/v2_manager.h"

namespace berth::cgroups {
namespace {

#define SKIP_UNLESS_ROOT() \
  if (::geteuid() != 0) GTEST_SKIP() << "writing cgroup files under /sys/fs/cgroup needs root; run as root to cover this"

std::string slurp(const std::string &path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

TEST(CgroupConvert, CpuSharesToWeightFollowsRunc) {
  EXPECT_EQ(cpu_shares_to_weight(0), 0u);
  EXPECT_EQ(cpu_shares_to_weight(2), 1u);
  EXPECT_EQ(cpu_shares_to_weight(1024), 100u);
  EXPECT_EQ(cpu_shares_to_weight(262144), 10000u);
  EXPECT_EQ(cpu_shares_to_weight(1u << 20), 10000u);
  // Monotonic in between.
  uint64_t last = 0;
  for (uint64_t s = 2; s <= 262144; s *= 2) {
    EXPECT_GE(cpu_shares_to_weight(s), last);
    last = cpu_shares_to_weight(s);
  }
}

TEST(CgroupConvert, CpuSharesToWeightMatchesLibmForEveryShares) {
  // convert.cpp computes log2 and 10^y itself (berth does not link libm):
  // the result must be crun's formula as libm evaluates it, for every input.
  int mismatches = 0;
  for (uint64_t s = 3; s < 262144; ++s) {
    double l = std::log2(static_cast<double>(s));
    auto want = static_cast<uint64_t>(std::ceil(std::pow(10.0, (l * l + 125 * l) / 612.0 - 7.0 / 34.0)));
    if (cpu_shares_to_weight(s) != want && ++mismatches <= 5)
      ADD_FAILURE() << "shares " << s << ": " << cpu_shares_to_weight(s) << ", libm says " << want;
  }
  EXPECT_EQ(mismatches, 0);
}

TEST(CgroupConvert, BlkioWeightToIoWeight) {
  EXPECT_EQ(blkio_weight_to_io_weight(0), 0u);
  EXPECT_EQ(blkio_weight_to_io_weight(10), 1u);
  EXPECT_EQ(blkio_weight_to_io_weight(1000), 10000u);
  EXPECT_EQ(blkio_weight_to_io_weight(500), 1u + 490u * 9999u / 990u);
}

TEST(CgroupConvert, SwapToV2) {
  EXPECT_EQ(*swap_to_v2(0, -1), -1);
  EXPECT_EQ(*swap_to_v2(-1, 100), -1);
  EXPECT_EQ(*swap_to_v2(0, 100), 0);
  EXPECT_EQ(*swap_to_v2(300, 100), 200);
  EXPECT_EQ(*swap_to_v2(100, 100), 0);
  EXPECT_FALSE(swap_to_v2(50, 100));
  EXPECT_FALSE(swap_to_v2(100, 0));
  EXPECT_FALSE(swap_to_v2(100, -1));
}

TEST(CgroupConvert, PageSizesAndLimits) {
  EXPECT_EQ(parse_page_size("2MB"), 2u << 20);
  EXPECT_EQ(parse_page_size("1GB"), 1u << 30);
  EXPECT_EQ(parse_page_size("64KB"), 64u << 10);
  EXPECT_FALSE(parse_page_size("2XB"));
  EXPECT_EQ(v2_limit(-1), "max");
  EXPECT_EQ(v2_limit(42), "42");
}

TEST(CgroupDevices, V1RuleText) {
  EXPECT_EQ(v1_device_rule({false, "", {}, {}, "rwm"}), "a");
  EXPECT_EQ(v1_device_rule({false, "a", {}, {}, ""}), "a");
  EXPECT_EQ(v1_device_rule({true, "c", 1, 3, "rw"}), "c 1:3 rw");
  EXPECT_EQ(v1_device_rule({true, "c", 136, {}, "rwm"}), "c 136:* rwm");
  EXPECT_EQ(v1_device_rule({true, "b", {}, {}, "m"}), "b *:* m");
  EXPECT_EQ(v1_device_rule({true, "a", 1, {}, "r"}), "a 1:* r");
}

TEST(CgroupDevices, EffectiveRulesEndWithDefaults) {
  std::vector<DeviceCgroupRule> mine = {{false, "", {}, {}, "rwm"}};
  auto all = effective_device_rules(mine);
  ASSERT_EQ(all.size(), 1 + default_device_rules().size());
  EXPECT_FALSE(all.front().allow);
  EXPECT_EQ(v1_device_rule(all[3]), "c 1:3 rwm");
}

// runc's dedup: a default standing for a node the config lists itself gives
// way to the config's own rules.
TEST(CgroupDevices, ConfiguredNodeDropsItsDefault) {
  Device null_node;
  null_node.path = "/dev/null";
  null_node.major = 1;
  null_node.minor = 3;
  auto all = container_device_rules({{false, "c", 1, 3, "rwm"}}, {null_node});
  ASSERT_EQ(all.size(), default_device_rules().size());
  EXPECT_EQ(v1_device_rule(all[0]), "c 1:3 rwm");
  EXPECT_FALSE(all[0].allow);
  for (size_t i = 1; i < all.size(); ++i) EXPECT_NE(v1_device_rule(all[i]), "c 1:3 rwm");
  // Linux.devices entries get no allow rule of their own, as in runc 1.1.
  Device loop;
  loop.path = "/dev/loop-control";
  loop.major = 10;
  loop.minor = 237;
  EXPECT_EQ(container_device_rules({}, {loop}).size(), default_device_rules().size());
}

TEST(CgroupDevices, FilterProgramShape) {
  auto prog = compile_device_filter({});
  // prologue (6) + default deny (2)
  ASSERT_EQ(prog.size(), 8u);
  EXPECT_EQ(prog.back().code, BPF_JMP | BPF_EXIT);
  EXPECT_EQ(prog[prog.size() - 2].imm, 0);
  // A rule matching everything ends the program: nothing before it can matter.
  prog = compile_device_filter({{false, "c", 1, 3, "rwm"}, {true, "a", {}, {}, "rwm"}});
  ASSERT_EQ(prog.size(), 6u + 2u);
  EXPECT_EQ(prog[6].imm, 1);
  // One full rule: type, access check (3), major, minor, result, exit.
  prog = compile_device_filter({{true, "c", 1, 3, "rw"}});
  ASSERT_EQ(prog.size(), 8u + 8u);
  // Every jump of the block lands on the instruction after its exit.
  for (size_t i = 6; i < 14; ++i)
    if (BPF_CLASS(prog[i].code) == BPF_JMP && BPF_OP(prog[i].code) == BPF_JNE) EXPECT_EQ(i + 1 + prog[i].off, 14u);
}

// The manager for a fresh cgroup of this host, removed at scope exit.
struct HostCgroup {
  std::unique_ptr<Manager> m;
  explicit HostCgroup(const std::string &name) {
    auto made = make_manager(name, "unittest");
    if (!made) return;
    m = std::move(*made);
    if (!m->create()) m.reset();
  }
  ~HostCgroup() {
    if (m) {
      (void)m->kill_all(SIGKILL);
      (void)m->destroy();
    }
  }
};

TEST(CgroupResourcesHost, V1FilesWrittenAndReadBack) {
  SKIP_UNLESS_ROOT();
  auto mode = detect_mode();
  ASSERT_TRUE(mode);
  if (*mode == Mode::Unified) GTEST_SKIP() << "v1 test; this host is cgroup v2 only";
  std::string name = fmt::format("/berth-unittest-{}-res", ::getpid());
  HostCgroup cg(name);
  ASSERT_TRUE(cg.m);
  Resources r;
  r.memory = MemoryResources{};
  r.memory->limit = 64 << 20;
  r.memory->reservation = 32 << 20;
  r.memory->swappiness = 10;
  r.cpu = CpuResources{};
  r.cpu->shares = 512;
  r.cpu->quota = 50000;
  r.cpu->period = 100000;
  r.cpu->cpus = "0";
  r.cpu->mems = "0";
  r.pids_limit = 42;
  auto applied = cg.m->apply(r);
  ASSERT_TRUE(applied) << applied.error().message;
  auto devices = cg.m->set_devices(effective_device_rules({{false, "", {}, {}, "rwm"}}));
  ASSERT_TRUE(devices) << devices.error().message;
  std::string fs = "/sys/fs/cgroup";
  EXPECT_EQ(slurp(fs + "/memory" + name + "/memory.limit_in_bytes"), std::to_string(64 << 20));
  EXPECT_EQ(slurp(fs + "/memory" + name + "/memory.soft_limit_in_bytes"), std::to_string(32 << 20));
  EXPECT_EQ(slurp(fs + "/memory" + name + "/memory.swappiness"), "10");
  EXPECT_EQ(slurp(fs + "/cpu" + name + "/cpu.shares"), "512");
  EXPECT_EQ(slurp(fs + "/cpu" + name + "/cpu.cfs_quota_us"), "50000");
  EXPECT_EQ(slurp(fs + "/cpuset" + name + "/cpuset.cpus"), "0");
  EXPECT_EQ(slurp(fs + "/pids" + name + "/pids.max"), "42");
  auto list = slurp(fs + "/devices" + name + "/devices.list");
  EXPECT_NE(list.find("c 1:3 rwm"), std::string::npos) << list;
  EXPECT_EQ(list.find("a *:* rwm"), std::string::npos) << list;

  auto st = cg.m->stats();
  ASSERT_TRUE(st) << st.error().message;
  EXPECT_EQ(st->pids.limit, 42u);
  EXPECT_EQ(st->memory.usage.limit, uint64_t{64} << 20);
  auto j = stats_to_json(*st);
  EXPECT_TRUE(j["memory"]["usage"].contains("failcnt"));
  EXPECT_TRUE(j["cpu"]["usage"].contains("total"));
}

TEST(CgroupResourcesHost, ErrorsNameFieldAndFile) {
  SKIP_UNLESS_ROOT();
  auto mode = detect_mode();
  ASSERT_TRUE(mode);
  if (*mode == Mode::Unified) GTEST_SKIP() << "v1 test; this host is cgroup v2 only";
  std::string name = fmt::format("/berth-unittest-{}-bad", ::getpid());
  HostCgroup cg(name);
  ASSERT_TRUE(cg.m);
  Resources r;
  r.cpu = CpuResources{};
  r.cpu->cpus = "0-4095";
  auto applied = cg.m->apply(r);
  ASSERT_FALSE(applied);
  // The kernel says EINVAL or ERANGE depending on its version.
  EXPECT_TRUE(applied.error().message.starts_with(
      fmt::format("linux.resources.cpu.cpus: write /sys/fs/cgroup/cpuset{}/cpuset.cpus: ", name)))
      << applied.error().message;
}

TEST(CgroupResourcesHost, UnifiedMapOnHybrid) {
  SKIP_UNLESS_ROOT();
  auto mode = detect_mode();
  ASSERT_TRUE(mode);
  if (*mode != Mode::Hybrid) GTEST_SKIP() << "hybrid host test";
  std::string name = fmt::format("/berth-unittest-{}-uni", ::getpid());
  HostCgroup cg(name);
  ASSERT_TRUE(cg.m);
  Resources r;
  r.unified = {{"cgroup.max.descendants", "3"}};
  auto applied = cg.m->apply(r);
  ASSERT_TRUE(applied) << applied.error().message;
  EXPECT_EQ(slurp("/sys/fs/cgroup/unified" + name + "/cgroup.max.descendants"), "3");
  r.unified = {{"nosuch.thing", "1"}};
  applied = cg.m->apply(r);
  ASSERT_FALSE(applied);
  EXPECT_NE(applied.error().message.find("linux.resources.unified[\"nosuch.thing\"]"), std::string::npos)
      << applied.error().message;
  r.unified = {{"../cgroup.procs", "1"}};
  EXPECT_FALSE(cg.m->apply(r));
}

// The eBPF device filter attached in this host's cgroup2 hierarchy stops a
// process in that cgroup from opening /dev/null, even as root.
TEST(CgroupResourcesHost, DeviceFilterEnforcedOnCgroup2) {
  SKIP_UNLESS_ROOT();
  auto mode = detect_mode();
  ASSERT_TRUE(mode);
  if (*mode == Mode::Legacy) GTEST_SKIP() << "this host has no cgroup2 mount";
  std::string mount = *mode == Mode::Unified ? "/sys/fs/cgroup" : "/sys/fs/cgroup/unified";
  std::string dir = fmt::format("{}/berth-unittest-{}-bpf", mount, ::getpid());
  ASSERT_EQ(::mkdir(dir.c_str(), 0755), 0);
  struct Cleanup {
    std::string dir;
    ~Cleanup() { (void)remove_cgroup_tree(dir); }
  } cleanup{dir};
  // Everything but /dev/null; the zero device stays allowed by the defaults.
  std::vector<DeviceCgroupRule> rules = {{true, "a", {}, {}, "rwm"}, {false, "c", 1, 3, "rwm"}};
  auto attached = attach_device_filter(dir, rules);
  ASSERT_TRUE(attached) << attached.error().message;
  // Replacing it keeps exactly one program attached.
  attached = attach_device_filter(dir, rules);
  ASSERT_TRUE(attached) << attached.error().message;

  int pipefd[2];
  ASSERT_EQ(::pipe(pipefd), 0);
  pid_t pid = ::fork();
  if (pid == 0) {
    char c;
    (void)::read(pipefd[0], &c, 1);
    int null_fd = ::open("/dev/null", O_RDONLY);
    int null_err = errno;
    int zero_fd = ::open("/dev/zero", O_RDONLY);
    _exit(null_fd < 0 && null_err == EPERM && zero_fd >= 0 ? 0 : 1);
  }
  ASSERT_GT(pid, 0);
  auto placed = write_text(dir + "/cgroup.procs", std::to_string(pid));
  EXPECT_TRUE(placed) << placed.error().message;
  ASSERT_EQ(::write(pipefd[1], "x", 1), 1);
  ::close(pipefd[0]);
  ::close(pipefd[1]);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
}

}  // namespace
}  // namespace berth::cgroups
