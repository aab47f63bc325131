// The cgroupfs managers against this host's real /sys/fs/cgroup. Root only:
// each test makes a uniquely named cgroup and removes it again.
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "cgroups/cgroupfs.h"
#include "cgroups/manager.h"
#include "cgroups/v1_manager.h"
#include "cgroups/v2_manager.h"
#include "libcontainer/fd.h"

namespace berth::cgroups {
namespace {

#define SKIP_UNLESS_ROOT() \
  if (::geteuid() != 0) GTEST_SKIP() << "creating cgroups under /sys/fs/cgroup needs root; run as root to cover this"

// A child that just waits to be killed; killed and reaped on scope exit
// whatever the test did.
struct Child {
  pid_t pid = -1;
  explicit Child(pid_t p) : pid(p) {}
  ~Child() {
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  }
  // Waits for it after something else killed it; true if SIGKILL did.
  bool reap() {
    int status = 0;
    pid_t r = ::waitpid(pid, &status, 0);
    pid = -1;
    return r > 0 && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
  }
};

pid_t fork_sleeper() {
  pid_t pid = ::fork();
  if (pid == 0) {
    for (;;) ::pause();
  }
  return pid;
}

std::string slurp(const std::string &path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

bool exists(const std::string &path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

std::vector<std::string> dirs_of(const nlohmann::json &j) {
  std::vector<std::string> out;
  if (j.contains("paths"))
    for (const auto &[k, v] : j["paths"].items()) out.push_back(v.get<std::string>());
  if (j.contains("unified")) out.push_back(j["unified"].get<std::string>());
  if (j.contains("path")) out.push_back(j["path"].get<std::string>());
  return out;
}

TEST(CgroupManagerHost, CreateAddKillDestroy) {
  SKIP_UNLESS_ROOT();
  auto mode = detect_mode();
  ASSERT_TRUE(mode) << mode.error().message;
  std::string name = fmt::format("/berth-unittest-{}", ::getpid());
  auto m = make_manager(name, "unittest");
  ASSERT_TRUE(m) << m.error().message;
  auto state = (*m)->to_json();
  auto dirs = dirs_of(state);
  ASSERT_FALSE(dirs.empty());

  auto created = (*m)->create();
  ASSERT_TRUE(created) << created.error().message;
  struct Cleanup {
    Manager &m;
    ~Cleanup() { (void)m.destroy(); }
  } cleanup{**m};
  for (const auto &d : dirs) EXPECT_TRUE(exists(d)) << d;

  Child child(fork_sleeper());
  ASSERT_GT(child.pid, 0);
  auto added = (*m)->add_process(child.pid);
  ASSERT_TRUE(added) << added.error().message;

  // Every hierarchy the child is in shows the container's cgroup, v2 included
  // unless the host has no cgroup2 mount at all.
  std::istringstream lines(slurp(fmt::format("/proc/{}/cgroup", child.pid)));
  int checked = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("0::") && *mode == Mode::Legacy) continue;
    EXPECT_TRUE(line.ends_with(":" + name)) << line;
    ++checked;
  }
  EXPECT_EQ(checked, static_cast<int>(dirs.size()));

  auto pids = (*m)->pids();
  ASSERT_TRUE(pids) << pids.error().message;
  EXPECT_EQ(*pids, std::vector<pid_t>{child.pid});

  // delete works from the stored state alone, as `berth delete` will.
  auto again = manager_from_json(state);
  ASSERT_TRUE(again) << again.error().message;
  auto killed = (*again)->kill_all(SIGKILL);
  ASSERT_TRUE(killed) << killed.error().message;
  EXPECT_TRUE(child.reap());
  auto destroyed = (*again)->destroy();
  ASSERT_TRUE(destroyed) << destroyed.error().message;
  for (const auto &d : dirs) EXPECT_FALSE(exists(d)) << d;
  // Destroying what is gone is not an error.
  EXPECT_TRUE((*again)->destroy());
}

TEST(CgroupManagerHost, FailedCreateRemovesOnlyWhatItMade) {
  SKIP_UNLESS_ROOT();
  auto mode = detect_mode();
  ASSERT_TRUE(mode);
  if (*mode == Mode::Unified) GTEST_SKIP() << "v1 test; this host is cgroup v2 only";
  std::string cpu = fmt::format("/sys/fs/cgroup/pids/berth-unittest-{}-fail/a", ::getpid());
  V1Manager m({{"pids", cpu}, {"bogus", "/proc/self/berth-no-such/x"}}, "");
  auto r = m.create();
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("/proc/self/berth-no-such"), std::string::npos) << r.error().message;
  EXPECT_FALSE(exists(cpu));
  EXPECT_FALSE(exists(cpu.substr(0, cpu.rfind('/'))));
  EXPECT_TRUE(exists("/sys/fs/cgroup/pids"));
}

TEST(CgroupManagerHost, V2FailedCreateRemovesWhatItMade) {
  SKIP_UNLESS_ROOT();
  auto mode = detect_mode();
  ASSERT_TRUE(mode);
  if (*mode == Mode::Legacy) GTEST_SKIP() << "this host has no cgroup2 mount";
  std::string mount = *mode == Mode::Unified ? "/sys/fs/cgroup" : "/sys/fs/cgroup/unified";
  std::string top = fmt::format("{}/berth-unittest-{}-v2fail", mount, ::getpid());
  // Two levels get made, then the third runs into a control file.
  V2Manager m(mount, top + "/a/cgroup.procs/b");
  auto r = m.create();
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("ot a directory"), std::string::npos) << r.error().message;
  EXPECT_FALSE(exists(top));
}

// Restores a cgroup2 dir's subtree_control when the test is over: the v2
// manager delegates controllers from the mount root down, and a test must
// leave the host as it found it.
struct SubtreeControlGuard {
  std::string file;
  std::string before;
  explicit SubtreeControlGuard(std::string dir)
      : file(dir + "/cgroup.subtree_control"), before(slurp(file)) {}
  ~SubtreeControlGuard() {
    std::istringstream now(slurp(file));
    for (std::string c; now >> c;)
      if (before.find(c) == std::string::npos) (void)write_text(file, "-" + c);
  }
};

// On a hybrid host the cgroup2 mount is the real default hierarchy: the v2
// manager's core (clone3 into it, cgroup.kill, recursive removal) works there.
TEST(CgroupManagerHost, V2CoreOnUnifiedMount) {
  SKIP_UNLESS_ROOT();
  auto mode = detect_mode();
  ASSERT_TRUE(mode);
  std::string mount = *mode == Mode::Unified ? "/sys/fs/cgroup" : "/sys/fs/cgroup/unified";
  if (*mode == Mode::Legacy) GTEST_SKIP() << "this host has no cgroup2 mount";
  SubtreeControlGuard guard(mount);
  std::string dir = fmt::format("{}/berth-unittest-{}-v2/c1", mount, ::getpid());
  V2Manager m(mount, dir);
  auto created = m.create();
  ASSERT_TRUE(created) << created.error().message;
  struct Cleanup {
    std::string top;
    ~Cleanup() { (void)remove_cgroup_tree(top); }
  } cleanup{dir.substr(0, dir.rfind('/'))};

  auto fd = m.open_v2_dir();
  ASSERT_TRUE(fd) << fd.error().message;
  ASSERT_GE(*fd, 0);
  Fd owned(*fd);
  clone_args args{};
  args.flags = CLONE_INTO_CGROUP;
  args.exit_signal = SIGCHLD;
  args.cgroup = static_cast<__u64>(owned.get());
  long pid = ::syscall(SYS_clone3, &args, sizeof args);
  if (pid == 0) {
    for (;;) ::pause();
  }
  ASSERT_GT(pid, 0) << "clone3(CLONE_INTO_CGROUP): " << std::strerror(errno);
  Child child(static_cast<pid_t>(pid));
  std::string rel = dir.substr(mount.size());
  EXPECT_NE(slurp(fmt::format("/proc/{}/cgroup", pid)).find("0::" + rel + "\n"), std::string::npos);

  // A sub-cgroup, as `exec --cgroup` may make, with a second process in it.
  ASSERT_EQ(::mkdir((dir + "/sub").c_str(), 0755), 0);
  Child second(fork_sleeper());
  ASSERT_TRUE(write_text(dir + "/sub/cgroup.procs", std::to_string(second.pid)));
  auto pids = m.pids();
  ASSERT_TRUE(pids) << pids.error().message;
  EXPECT_EQ(pids->size(), 2u);

  ASSERT_TRUE(m.kill_all(SIGKILL));
  EXPECT_TRUE(child.reap());
  EXPECT_TRUE(second.reap());
  auto destroyed = m.destroy();
  ASSERT_TRUE(destroyed) << destroyed.error().message;
  EXPECT_FALSE(exists(dir));
}

TEST(CgroupManagerHost, HybridOpenV2DirAllowsCloneIntoCgroup) {
  SKIP_UNLESS_ROOT();
  auto mode = detect_mode();
  ASSERT_TRUE(mode);
  if (*mode != Mode::Hybrid) GTEST_SKIP() << "hybrid-only behaviour; this host is not hybrid";
  std::string name = fmt::format("/berth-unittest-{}-clone", ::getpid());
  auto m = make_manager(name, "unittest");
  ASSERT_TRUE(m) << m.error().message;
  ASSERT_TRUE((*m)->create());
  struct Cleanup {
    Manager &m;
    ~Cleanup() { (void)m.destroy(); }
  } cleanup{**m};
  auto fd = (*m)->open_v2_dir();
  ASSERT_TRUE(fd) << fd.error().message;
  ASSERT_GE(*fd, 0);
  Fd owned(*fd);
  clone_args args{};
  args.flags = CLONE_INTO_CGROUP;
  args.exit_signal = SIGCHLD;
  args.cgroup = static_cast<__u64>(owned.get());
  long pid = ::syscall(SYS_clone3, &args, sizeof args);
  if (pid == 0) {
    for (;;) ::pause();
  }
  ASSERT_GT(pid, 0) << "clone3(CLONE_INTO_CGROUP): " << std::strerror(errno);
  Child child(static_cast<pid_t>(pid));
  EXPECT_NE(slurp(fmt::format("/proc/{}/cgroup", pid)).find("0::" + name + "\n"), std::string::npos);
  // The v1 hierarchies still need add_process.
  ASSERT_TRUE((*m)->add_process(child.pid));
  ASSERT_TRUE((*m)->kill_all(SIGKILL));
  EXPECT_TRUE(child.reap());
  EXPECT_TRUE((*m)->destroy());
}

// Pure v2 hosts only: every controller the root offers reaches a nested
// container cgroup, because create() delegates it down each level.
TEST(CgroupManagerHost, V2DelegatesControllersDownNestedPath) {
  SKIP_UNLESS_ROOT();
  auto mode = detect_mode();
  ASSERT_TRUE(mode);
  if (*mode != Mode::Unified) GTEST_SKIP() << "needs a pure cgroup v2 host (see the cgroupv2-vm tool)";
  std::string top = fmt::format("/sys/fs/cgroup/berth-unittest-{}-nest", ::getpid());
  auto m = make_manager(top.substr(std::string("/sys/fs/cgroup").size()) + "/a/b", "unittest");
  ASSERT_TRUE(m) << m.error().message;
  auto created = (*m)->create();
  ASSERT_TRUE(created) << created.error().message;
  struct Cleanup {
    std::string top;
    ~Cleanup() { (void)remove_cgroup_tree(top); }
  } cleanup{top};
  std::istringstream root_ctrls(slurp("/sys/fs/cgroup/cgroup.controllers"));
  std::string leaf = slurp(top + "/a/b/cgroup.controllers");
  for (std::string c; root_ctrls >> c;) EXPECT_NE(leaf.find(c), std::string::npos) << c << " not in " << leaf;

  Child child(fork_sleeper());
  ASSERT_TRUE((*m)->add_process(child.pid));
  EXPECT_NE(slurp(fmt::format("/proc/{}/cgroup", child.pid)).find("0::/berth-unittest-"), std::string::npos);
  ASSERT_TRUE((*m)->kill_all(SIGKILL));
  EXPECT_TRUE(child.reap());
  auto destroyed = (*m)->destroy();
  ASSERT_TRUE(destroyed) << destroyed.error().message;
  EXPECT_FALSE(exists(top + "/a/b"));
}

// Thaws on scope exit: a frozen v1 task ignores SIGKILL until thawed, so this
// must run before a Child guard reaps.
struct ThawGuard {
  Manager &m;
  ~ThawGuard() { (void)m.thaw(); }
};

void check_freeze_thaw(Manager &m) {
  Child child(fork_sleeper());
  ASSERT_GT(child.pid, 0);
  auto added = m.add_process(child.pid);
  ASSERT_TRUE(added) << added.error().message;
  ThawGuard thaw_guard{m};

  auto state = m.freezer_state();
  ASSERT_TRUE(state) << state.error().message;
  EXPECT_EQ(*state, FreezerState::Thawed);
  auto frozen = m.freeze();
  ASSERT_TRUE(frozen) << frozen.error().message;
  EXPECT_EQ(*m.freezer_state(), FreezerState::Frozen);
  auto thawed = m.thaw();
  ASSERT_TRUE(thawed) << thawed.error().message;
  EXPECT_EQ(*m.freezer_state(), FreezerState::Thawed);

  ASSERT_TRUE(m.kill_all(SIGKILL));
  EXPECT_TRUE(child.reap());
}

TEST(CgroupManagerHost, FreezeAndThaw) {
  SKIP_UNLESS_ROOT();
  auto m = make_manager(fmt::format("/berth-unittest-{}-freeze", ::getpid()), "unittest");
  ASSERT_TRUE(m) << m.error().message;
  auto created = (*m)->create();
  ASSERT_TRUE(created) << created.error().message;
  struct Cleanup {
    Manager &m;
    ~Cleanup() { (void)m.destroy(); }
  } cleanup{**m};
  check_freeze_thaw(**m);
  auto destroyed = (*m)->destroy();
  EXPECT_TRUE(destroyed) << destroyed.error().message;
}

TEST(CgroupManagerHost, V2FreezeAndThawOnUnifiedMount) {
  SKIP_UNLESS_ROOT();
  auto mode = detect_mode();
  ASSERT_TRUE(mode);
  if (*mode == Mode::Legacy) GTEST_SKIP() << "this host has no cgroup2 mount";
  std::string mount = *mode == Mode::Unified ? "/sys/fs/cgroup" : "/sys/fs/cgroup/unified";
  SubtreeControlGuard guard(mount);
  V2Manager m(mount, fmt::format("{}/berth-unittest-{}-v2freeze", mount, ::getpid()));
  auto created = m.create();
  ASSERT_TRUE(created) << created.error().message;
  struct Cleanup {
    Manager &m;
    ~Cleanup() { (void)m.destroy(); }
  } cleanup{m};
  check_freeze_thaw(m);
  auto destroyed = m.destroy();
  EXPECT_TRUE(destroyed) << destroyed.error().message;
}

}  // namespace
}  // namespace berth::cgroups
