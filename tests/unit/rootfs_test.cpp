// prepare_rootfs + finalize_rootfs for real, in a forked child with its own
// mount and pid namespaces. Needs root; skipped otherwise.
#include "libcontainer/rootfs.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace berth {
namespace {

namespace fs = std::filesystem;

std::string slurp(const std::string &path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class RootfsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (mount namespaces)";
    char tmpl[] = "/tmp/berth-rootfs-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    base_ = tmpl;
    rootfs_ = base_ + "/rootfs";
    fs::create_directories(rootfs_ + "/proc");
    fs::create_symlink("/", rootfs_ + "/evil");
    fs::create_directories(base_ + "/src");
    std::ofstream(base_ + "/src/file") << "data";
  }
  void TearDown() override {
    if (!base_.empty()) fs::remove_all(base_);
  }

  Spec default_spec() {
    Spec s;
    s.root = Root{"rootfs", true};
    s.mounts = {
        {"/proc", "proc", "proc", {}},
        {"/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}},
        {"/dev/pts", "devpts", "devpts", {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"}},
        {"/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}},
        {"/evil/tmp", "tmpfs", "tmpfs", {"size=1m"}},
        {"/data", "bind", "src", {"rbind", "ro"}},
    };
    Linux lx;
    lx.masked_paths = {"/proc/keys", "/proc/acpi", "/no/such/path"};
    lx.readonly_paths = {"/proc/sys", "/no/such/path"};
    s.linux = lx;
    return s;
  }

  // Runs prepare + finalize in a child, then check() there; returns the child's
  // exit status and its error text.
  template <typename Check>
  int run(const Spec &spec, Check check, std::string *err) {
    int pipefd[2];
    if (::pipe(pipefd) != 0) return -1;
    pid_t pid = ::fork();
    if (pid == 0) {
      ::close(pipefd[0]);
      auto fail = [&](const std::string &m) {
        (void)!::write(pipefd[1], m.data(), m.size());
        ::_exit(1);
      };
      if (::unshare(CLONE_NEWNS | CLONE_NEWPID) != 0) fail("unshare");
      pid_t inner = ::fork();
      if (inner == 0) {
        RootfsOptions o{rootfs_, base_, false, false};
        if (auto r = prepare_rootfs(spec, o); !r) fail("prepare: " + r.error().message);
        if (auto r = finalize_rootfs(spec); !r) fail("finalize: " + r.error().message);
        std::string why = check();
        if (!why.empty()) fail(why);
        ::_exit(0);
      }
      int st = 0;
      ::waitpid(inner, &st, 0);
      ::_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 2);
    }
    ::close(pipefd[1]);
    char buf[4096];
    ssize_t n;
    while ((n = ::read(pipefd[0], buf, sizeof buf)) > 0) err->append(buf, n);
    ::close(pipefd[0]);
    int st = 0;
    ::waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
  }

  std::string base_, rootfs_;
};

TEST_F(RootfsTest, DefaultMountsDevicesMasksAndSymlinkAttack) {
  const std::string host_mounts = slurp("/proc/self/mountinfo");
  std::string err;
  int rc = run(default_spec(), [] () -> std::string {
    struct stat st{};
    if (::stat("/dev/null", &st) != 0 || !S_ISCHR(st.st_mode) || major(st.st_rdev) != 1 || minor(st.st_rdev) != 3)
      return "/dev/null is not the null device";
    if ((st.st_mode & 0777) != 0666) return "/dev/null mode is not 0666";
    char link[64] = {};
    if (::readlink("/dev/ptmx", link, sizeof link - 1) < 0 || std::string(link) != "pts/ptmx") return "/dev/ptmx link";
    if (::access("/dev/fd", F_OK) != 0) return "/dev/fd missing";
    std::string mi = slurp("/proc/self/mountinfo");
    if (mi.find(" /tmp rw") == std::string::npos) return "tmpfs for /evil/tmp not at the container's /tmp:\n" + mi;
    if (mi.find(" /proc/sys ro") == std::string::npos) return "/proc/sys not read-only:\n" + mi;
    if (mi.find(" /proc/acpi ro") == std::string::npos) return "/proc/acpi not masked:\n" + mi;
    if (mi.find(" /proc/keys ") == std::string::npos) return "/proc/keys not masked";
    if (mi.find(" /data ro") == std::string::npos) return "/data not read-only:\n" + mi;
    if (slurp("/data/file") != "data") return "/data/file unreadable";
    if (::mkdir("/newdir", 0755) == 0 || errno != EROFS) return "root is not read-only";
    return {};
  }, &err);
  EXPECT_EQ(rc, 0) << err;
  EXPECT_TRUE(fs::is_directory(rootfs_ + "/tmp"));
  EXPECT_EQ(slurp("/proc/self/mountinfo"), host_mounts) << "host mount table changed";
}

TEST_F(RootfsTest, MountErrorNamesWhatAndWhere) {
  Spec s = default_spec();
  s.mounts.push_back({"/x", "nosuchfs", "none", {}});
  std::string err;
  EXPECT_NE(run(s, [] { return std::string(); }, &err), 0);
  EXPECT_NE(err.find("mount nosuchfs on /x (in rootfs " + rootfs_ + "): No such device"), std::string::npos) << err;
}

}  // namespace
}  // namespace berth
