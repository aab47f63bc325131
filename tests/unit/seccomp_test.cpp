#include "libcontainer/seccomp.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>

#include <gtest/gtest.h>

#include "config.h"
#include "tests/unit/security_fork.h"

#if HAVE_LIBSECCOMP
#include <seccomp.h>
#endif

namespace berth {
namespace {

bool contains(const std::vector<std::string> &v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(SeccompNames, TablesHoldTheSpecVocabulary) {
  auto actions = seccomp_action_names();
  for (auto n :
       {"SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
        "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY"})
    EXPECT_TRUE(contains(actions, n)) << n;
  EXPECT_EQ(actions.size(), 9u);

  EXPECT_EQ(seccomp_operator_names(),
            (std::vector<std::string>{"SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ",
                                      "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"}));
  auto archs = seccomp_architecture_names();
  for (auto n : {"SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_AARCH64",
                 "SCMP_ARCH_RISCV64", "SCMP_ARCH_S390X", "SCMP_ARCH_PPC64LE"})
    EXPECT_TRUE(contains(archs, n)) << n;
  EXPECT_EQ(seccomp_flag_names(),
            (std::vector<std::string>{"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
                                      "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
                                      "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"}));
}

TEST(SeccompNames, LookupsMapToValues) {
  EXPECT_EQ(seccomp_action_from_name("SCMP_ACT_KILL"), SeccompAction::KillThread);
  EXPECT_EQ(seccomp_action_from_name("SCMP_ACT_KILL_PROCESS"), SeccompAction::KillProcess);
  EXPECT_EQ(seccomp_action_from_name("SCMP_ACT_ERRNO"), SeccompAction::Errno);
  EXPECT_FALSE(seccomp_action_from_name("SCMP_ACT_FOO"));
  EXPECT_EQ(seccomp_operator_from_name("SCMP_CMP_MASKED_EQ"), SeccompOperator::MaskedEqual);
  EXPECT_FALSE(seccomp_operator_from_name("SCMP_CMP_XOR"));
  EXPECT_EQ(seccomp_arch_from_name("SCMP_ARCH_X86_64"), "x86_64");
  EXPECT_EQ(seccomp_arch_from_name("SCMP_ARCH_AARCH64"), "aarch64");
  EXPECT_FALSE(seccomp_arch_from_name("SCMP_ARCH_VAX"));
  EXPECT_EQ(seccomp_flag_from_name("SECCOMP_FILTER_FLAG_LOG"), SeccompFlag::Log);
  EXPECT_FALSE(seccomp_flag_from_name("SECCOMP_FILTER_FLAG_NONE"));
}

Seccomp allow_all() {
  Seccomp s;
  s.default_action = "SCMP_ACT_ALLOW";
  return s;
}

std::string validation_error(const Seccomp &s) {
  auto r = validate_seccomp(s);
  return r ? std::string("ok") : r.error().message;
}

TEST(ValidateSeccomp, NamesTheJsonPath) {
  Seccomp s = allow_all();
  s.default_action = "SCMP_ACT_NOPE";
  EXPECT_EQ(validation_error(s), "linux.seccomp.defaultAction: unknown action \"SCMP_ACT_NOPE\"");

  s = allow_all();
  s.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_VAX"};
  EXPECT_EQ(validation_error(s),
            "linux.seccomp.architectures[1]: unknown architecture \"SCMP_ARCH_VAX\"");

  s = allow_all();
  s.flags = {"SECCOMP_FILTER_FLAG_BOGUS"};
  EXPECT_EQ(validation_error(s),
            "linux.seccomp.flags[0]: unknown flag \"SECCOMP_FILTER_FLAG_BOGUS\"");

  s = allow_all();
  s.syscalls = {{{"read"}, "SCMP_ACT_ERRNO", {}, {}},
                {{"a"}, "SCMP_ACT_LOG", {}, {}},
                {{"b"}, "SCMP_ACT_TRAP", {}, {}},
                {{"mkdir"}, "SCMP_ACT_FOO", {}, {}}};
  EXPECT_EQ(validation_error(s),
            "linux.seccomp.syscalls[3].action: unknown action \"SCMP_ACT_FOO\"");

  s = allow_all();
  s.syscalls = {
      {{"read"}, "SCMP_ACT_ERRNO", {}, {{0, 1, 0, "SCMP_CMP_EQ"}, {1, 1, 0, "SCMP_CMP_XOR"}}}};
  EXPECT_EQ(validation_error(s),
            "linux.seccomp.syscalls[0].args[1].op: unknown operator \"SCMP_CMP_XOR\"");

  s = allow_all();
  s.syscalls = {{{"read"}, "SCMP_ACT_ERRNO", {}, {{6, 1, 0, "SCMP_CMP_EQ"}}}};
  EXPECT_EQ(validation_error(s),
            "linux.seccomp.syscalls[0].args[0].index: 6 is out of range (system call arguments "
            "are numbered 0 to 5)");

  s = allow_all();
  s.syscalls = {{{}, "SCMP_ACT_ERRNO", {}, {}}};
  EXPECT_EQ(validation_error(s),
            "linux.seccomp.syscalls[0].names: must name at least one system call");
}

TEST(ValidateSeccomp, NotifyRules) {
  Seccomp s = allow_all();
  s.default_action = "SCMP_ACT_NOTIFY";
  EXPECT_NE(validation_error(s).find("linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be"),
            std::string::npos);

  s = allow_all();
  s.syscalls = {{{"mkdir"}, "SCMP_ACT_NOTIFY", {}, {}}};
  EXPECT_NE(validation_error(s).find("linux.seccomp.listenerPath: required"), std::string::npos);

  s.listener_path = "/run/agent.sock";
  s.syscalls = {{{"read", "write"}, "SCMP_ACT_NOTIFY", {}, {}}};
  EXPECT_NE(validation_error(s).find("linux.seccomp.syscalls[0].names[1]: SCMP_ACT_NOTIFY cannot"),
            std::string::npos);
}

#if HAVE_LIBSECCOMP

TEST(ValidateSeccomp, AcceptsAGoodProfile) {
  Seccomp s;
  s.default_action = "SCMP_ACT_ERRNO";
  s.default_errno_ret = 38;
  s.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
  s.flags = {"SECCOMP_FILTER_FLAG_LOG"};
  s.syscalls = {{{"read", "write"}, "SCMP_ACT_ALLOW", {}, {}},
                {{"personality"}, "SCMP_ACT_ALLOW", {}, {{0, 0xffffffff, 0, "SCMP_CMP_EQ"}}}};
  EXPECT_EQ(validation_error(s), "ok");
}

TEST(SeccompSupport, FlagsAndUnknownSyscalls) {
  EXPECT_TRUE(seccomp_available());
  auto flags = seccomp_supported_flags();
  EXPECT_TRUE(contains(flags, "SECCOMP_FILTER_FLAG_TSYNC"));
  EXPECT_TRUE(contains(flags, "SECCOMP_FILTER_FLAG_LOG"));

  Seccomp s = allow_all();
  s.syscalls = {{{"mkdir", "no_such_syscall_here"}, "SCMP_ACT_ERRNO", {}, {}}};
  EXPECT_EQ(seccomp_unknown_syscalls(s), std::vector<std::string>{"no_such_syscall_here"});
}

// Runs body after loading s in a forked child; body returns 0 when content.
template <typename Body>
testing::ChildOutcome with_filter(const Seccomp &s, Body body) {
  return testing::run_in_child([&](std::string &msg) {
    auto fd = load_seccomp(s);
    if (!fd) {
      msg = fd.error().message;
      return 100;
    }
    return body(msg, *fd);
  });
}

TEST(LoadSeccomp, ErrnoRuleAndDefaultErrno) {
  Seccomp s = allow_all();
  s.syscalls = {{{"mkdir", "mkdirat"}, "SCMP_ACT_ERRNO", 38, {}},
                {{"getcwd"}, "SCMP_ACT_ERRNO", {}, {}},
                // Same as the default: skipped rather than refused.
                {{"getpid"}, "SCMP_ACT_ALLOW", {}, {}},
                // Unknown to libseccomp: skipped.
                {{"no_such_syscall_here"}, "SCMP_ACT_KILL", {}, {}}};
  auto out = with_filter(s, [](std::string &msg, Fd &listener) {
    if (listener) return 1;
    errno = 0;
    int rc = ::mkdir("/tmp/berth-seccomp-test-never-made", 0700);
    int mkdir_errno = errno;
    char buf[PATH_MAX];
    errno = 0;
    char *cwd = ::getcwd(buf, sizeof buf);
    int cwd_errno = errno;
    msg = fmt::format("{} {} {} {} {}", rc, mkdir_errno, cwd == nullptr, cwd_errno, ::getpid() > 0);
    return 0;
  });
  EXPECT_EQ(out.exit_code, 0) << out.message;
  EXPECT_EQ(out.message, fmt::format("-1 {} true {} true", ENOSYS, EPERM));
}

TEST(LoadSeccomp, ConditionsOnOneArgumentAreAlternatives) {
  Seccomp s = allow_all();
  s.syscalls = {{{"fchown"},
                 "SCMP_ACT_ERRNO",
                 55,
                 {{0, 1000, 0, "SCMP_CMP_EQ"}, {0, 1001, 0, "SCMP_CMP_EQ"}}},
                {{"fchmod"},
                 "SCMP_ACT_ERRNO",
                 56,
                 {{0, 0x700, 0x7f0, "SCMP_CMP_MASKED_EQ"}, {1, 0640, 0, "SCMP_CMP_EQ"}}}};
  auto out = with_filter(s, [](std::string &msg, Fd &) {
    auto err = [](int rc) { return rc == 0 ? 0 : errno; };
    msg = fmt::format("{} {} {} | {} {} {}", err(::fchown(1000, 0, 0)), err(::fchown(1001, 0, 0)),
                      err(::fchown(1002, 0, 0)), err(::fchmod(0x705, 0640)),
                      err(::fchmod(0x705, 0600)), err(::fchmod(0x805, 0640)));
    return 0;
  });
  EXPECT_EQ(out.exit_code, 0) << out.message;
  EXPECT_EQ(out.message, fmt::format("55 55 {} | 56 {} {}", EBADF, EBADF, EBADF));
}

TEST(LoadSeccomp, DefaultErrnoWithArchitecturesAndFlags) {
  Seccomp s;
  s.default_action = "SCMP_ACT_ERRNO";
  s.default_errno_ret = 1;
  s.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
  s.flags = {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"};
  // Just what the child needs to write its answer, report and exit
  // (sigaltstack: ASan tears down its signal stack at exit).
  s.syscalls = {{{"write", "exit", "exit_group", "close", "getpid", "brk", "mmap", "munmap",
                  "sigaltstack"},
                 "SCMP_ACT_ALLOW",
                 {},
                 {}}};
  auto out = with_filter(s, [](std::string &msg, Fd &) {
    errno = 0;
    int rc = ::chdir("/");
    msg = fmt::format("{} {} {}", rc, errno, ::getpid() > 0);
    return 0;
  });
  EXPECT_EQ(out.exit_code, 0) << out.message;
  EXPECT_EQ(out.message, "-1 1 true");
}

TEST(LoadSeccomp, TraceWithoutATracerAndLog) {
  Seccomp s = allow_all();
  // With no tracer attached the kernel fails a traced call with ENOSYS.
  s.syscalls = {{{"chdir"}, "SCMP_ACT_TRACE", 7, {}}, {{"getcwd"}, "SCMP_ACT_LOG", {}, {}}};
  auto out = with_filter(s, [](std::string &msg, Fd &) {
    errno = 0;
    int rc = ::chdir("/");
    int chdir_errno = errno;
    char buf[PATH_MAX];
    msg = fmt::format("{} {} {}", rc, chdir_errno, ::getcwd(buf, sizeof buf) != nullptr);
    return 0;
  });
  EXPECT_EQ(out.exit_code, 0) << out.message;
  EXPECT_EQ(out.message, fmt::format("-1 {} true", ENOSYS));
}

TEST(LoadSeccomp, KillProcess) {
  Seccomp s = allow_all();
  s.syscalls = {{{"getppid"}, "SCMP_ACT_KILL_PROCESS", {}, {}}};
  auto out = with_filter(s, [](std::string &, Fd &) {
    ::getppid();
    return 0;
  });
  EXPECT_EQ(out.signal, SIGSYS) << out.message;
}

TEST(LoadSeccomp, NotifyReturnsTheListener) {
  if (seccomp_api_get() < 6) GTEST_SKIP() << "libseccomp API level below 6";
  Seccomp s = allow_all();
  s.listener_path = "/run/agent.sock";
  s.syscalls = {{{"mknodat"}, "SCMP_ACT_NOTIFY", {}, {}}};
  auto out = with_filter(s, [](std::string &msg, Fd &listener) {
    if (!listener) return 1;
    int flags = ::fcntl(listener.get(), F_GETFD);
    msg = fmt::format("cloexec {}", (flags & FD_CLOEXEC) != 0);
    return 0;
  });
  EXPECT_EQ(out.exit_code, 0) << out.message;
  EXPECT_EQ(out.message, "cloexec true");
}

#else

TEST(ValidateSeccomp, RefusedWithoutLibseccomp) {
  EXPECT_EQ(validation_error(allow_all()),
            "linux.seccomp: seccomp requested but berth was built without libseccomp");
  auto r = load_seccomp(allow_all());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "seccomp requested but berth was built without libseccomp");
}

#endif

}  // namespace
}  // namespace berth
