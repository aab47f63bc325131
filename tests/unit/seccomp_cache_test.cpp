#include "libcontainer/seccomp_cache.h"

#include <linux/seccomp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <gtest/gtest.h>

#include "config.h"
#include "libcontainer/file_util.h"
#include "tests/unit/security_fork.h"

namespace berth {
namespace {

#if HAVE_LIBSECCOMP

Seccomp profile() {
  Seccomp s;
  s.default_action = "SCMP_ACT_ALLOW";
  s.syscalls = {{{"mkdir", "mkdirat"}, "SCMP_ACT_ERRNO", 38, {}},
                {{"fchmod"}, "SCMP_ACT_ERRNO", 56, {{1, 0640, 0, "SCMP_CMP_EQ"}}}};
  return s;
}

class SeccompCache : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-seccomp-cache-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    cache_ = dir_ + "/cache";
  }
  void TearDown() override { (void)remove_tree(dir_); }
  std::string dir_, cache_;
};

std::string bytes(const SeccompProgram &p) {
  return std::string(reinterpret_cast<const char *>(p.code.data()), p.code.size() * sizeof(sock_filter));
}

TEST_F(SeccompCache, HitGivesTheSameProgram) {
  auto first = prepare_seccomp_program(profile(), cache_);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_FALSE(first->from_cache);
  struct stat st;
  ASSERT_EQ(::stat(cache_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  ASSERT_EQ(::stat((cache_ + "/" + seccomp_cache_key(profile()) + ".bpf").c_str(), &st), 0);

  auto second = prepare_seccomp_program(profile(), cache_);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_TRUE(second->from_cache);
  EXPECT_EQ(bytes(*first), bytes(*second));
  EXPECT_EQ(first->flags, second->flags);

  auto uncached = prepare_seccomp_program(profile(), "");
  ASSERT_TRUE(uncached);
  EXPECT_EQ(bytes(*uncached), bytes(*first));
}

TEST_F(SeccompCache, AChangedProfileMisses) {
  ASSERT_TRUE(prepare_seccomp_program(profile(), cache_));
  Seccomp changed = profile();
  changed.syscalls[0].errno_ret = 39;
  EXPECT_NE(seccomp_cache_key(changed), seccomp_cache_key(profile()));
  auto p = prepare_seccomp_program(changed, cache_);
  ASSERT_TRUE(p);
  EXPECT_FALSE(p->from_cache);

  // Where the listener goes does not change the program.
  Seccomp listener = profile();
  listener.listener_path = "/run/agent.sock";
  EXPECT_EQ(seccomp_cache_key(listener), seccomp_cache_key(profile()));
}

TEST_F(SeccompCache, ADamagedEntryIsRecompiled) {
  auto first = prepare_seccomp_program(profile(), cache_);
  ASSERT_TRUE(first);
  std::string path = cache_ + "/" + seccomp_cache_key(profile()) + ".bpf";
  auto text = read_file(path);
  ASSERT_TRUE(text);
  (*text)[3] ^= 0x40;
  ASSERT_TRUE(write_file_atomic(path, *text));
  auto again = prepare_seccomp_program(profile(), cache_);
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->from_cache);
  EXPECT_EQ(bytes(*again), bytes(*first));
  auto third = prepare_seccomp_program(profile(), cache_);
  ASSERT_TRUE(third);
  EXPECT_TRUE(third->from_cache);
}

TEST_F(SeccompCache, FlagsFollowTheProfile) {
  Seccomp s = profile();
  s.flags = {"SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_TSYNC"};
  auto p = prepare_seccomp_program(s, "");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->flags, unsigned(SECCOMP_FILTER_FLAG_LOG));
  s.listener_path = "/run/agent.sock";
  s.syscalls.push_back({{"getpid"}, "SCMP_ACT_NOTIFY", {}, {}});
  p = prepare_seccomp_program(s, "");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->flags, unsigned(SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_NEW_LISTENER));
}

// The program read back from the cache, loaded with seccomp(2), blocks what
// load_seccomp's filter blocks, with the same errno.
TEST_F(SeccompCache, LoadedCachedProgramBehavesLikeTheCompiledOne) {
  ASSERT_TRUE(prepare_seccomp_program(profile(), cache_));
  auto cached = prepare_seccomp_program(profile(), cache_);
  ASSERT_TRUE(cached);
  ASSERT_TRUE(cached->from_cache);
  std::string target = dir_ + "/never-made";
  std::string file = dir_ + "/file";
  ASSERT_TRUE(write_file_atomic(file, "x", 0600));
  auto out = testing::run_in_child([&](std::string &msg) {
    auto listener = load_seccomp_program(*cached);
    if (!listener) {
      msg = listener.error().message;
      return 100;
    }
    if (*listener) return 101;
    errno = 0;
    int rc = ::mkdir(target.c_str(), 0700);
    int mkdir_errno = errno;
    int fd = ::open(file.c_str(), O_RDONLY);
    errno = 0;
    int chmod_rc = ::fchmod(fd, 0640);
    int chmod_errno = errno;
    int chmod_ok = ::fchmod(fd, 0600);
    msg = fmt::format("{} {} {} {} {}", rc, mkdir_errno, chmod_rc, chmod_errno, chmod_ok);
    return 0;
  });
  EXPECT_EQ(out.exit_code, 0) << out.message;
  EXPECT_EQ(out.message, "-1 38 -1 56 0");
  struct stat st;
  EXPECT_NE(::stat(target.c_str(), &st), 0);
}

#endif  // HAVE_LIBSECCOMP

}  // namespace
}  // namespace berth
