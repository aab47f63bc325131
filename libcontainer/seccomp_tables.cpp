// The seccomp vocabularies and the check run before clone. Nothing here needs
// libseccomp, so `berth features` and validation work in every build.
#include <array>

#include "config.h"
#include "libcontainer/seccomp.h"

#if HAVE_LIBSECCOMP
#include <seccomp.h>
#if SCMP_VER_MAJOR > 2 || (SCMP_VER_MAJOR == 2 && SCMP_VER_MINOR >= 6)
#define BERTH_SECCOMP_HAS_WAITKILL 1
#endif
#endif

namespace berth {
namespace {

using A = SeccompAction;
constexpr std::array<SeccompName<A>, 9> kActions{{
    {"SCMP_ACT_KILL", A::KillThread},  // the old name: kills the thread, not the process
    {"SCMP_ACT_KILL_PROCESS", A::KillProcess},
    {"SCMP_ACT_KILL_THREAD", A::KillThread},
    {"SCMP_ACT_TRAP", A::Trap},
    {"SCMP_ACT_ERRNO", A::Errno},
    {"SCMP_ACT_TRACE", A::Trace},
    {"SCMP_ACT_ALLOW", A::Allow},
    {"SCMP_ACT_LOG", A::Log},
    {"SCMP_ACT_NOTIFY", A::Notify},
}};

using O = SeccompOperator;
constexpr std::array<SeccompName<O>, 7> kOperators{{
    {"SCMP_CMP_NE", O::NotEqual},
    {"SCMP_CMP_LT", O::Less},
    {"SCMP_CMP_LE", O::LessEqual},
    {"SCMP_CMP_EQ", O::Equal},
    {"SCMP_CMP_GE", O::GreaterEqual},
    {"SCMP_CMP_GT", O::Greater},
    {"SCMP_CMP_MASKED_EQ", O::MaskedEqual},
}};

// Right: libseccomp's names. An architecture newer than the libseccomp berth
// is built with is refused when the filter is built, not here.
constexpr std::array<SeccompName<std::string_view>, 20> kArchitectures{{
    {"SCMP_ARCH_X86", "x86"},
    {"SCMP_ARCH_X86_64", "x86_64"},
    {"SCMP_ARCH_X32", "x32"},
    {"SCMP_ARCH_ARM", "arm"},
    {"SCMP_ARCH_AARCH64", "aarch64"},
    {"SCMP_ARCH_MIPS", "mips"},
    {"SCMP_ARCH_MIPS64", "mips64"},
    {"SCMP_ARCH_MIPS64N32", "mips64n32"},
    {"SCMP_ARCH_MIPSEL", "mipsel"},
    {"SCMP_ARCH_MIPSEL64", "mipsel64"},
    {"SCMP_ARCH_MIPSEL64N32", "mipsel64n32"},
    {"SCMP_ARCH_PPC", "ppc"},
    {"SCMP_ARCH_PPC64", "ppc64"},
    {"SCMP_ARCH_PPC64LE", "ppc64le"},
    {"SCMP_ARCH_S390", "s390"},
    {"SCMP_ARCH_S390X", "s390x"},
    {"SCMP_ARCH_PARISC", "parisc"},
    {"SCMP_ARCH_PARISC64", "parisc64"},
    {"SCMP_ARCH_RISCV64", "riscv64"},
    {"SCMP_ARCH_LOONGARCH64", "loongarch64"},
}};

using F = SeccompFlag;
constexpr std::array<SeccompName<F>, 4> kFlags{{
    {"SECCOMP_FILTER_FLAG_TSYNC", F::Tsync},
    {"SECCOMP_FILTER_FLAG_LOG", F::Log},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", F::SpecAllow},
    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", F::WaitKillableRecv},
}};

template <typename T, size_t N>
std::optional<T> find(const std::array<SeccompName<T>, N> &table, std::string_view name) {
  for (const auto &e : table)
    if (e.name == name) return e.value;
  return std::nullopt;
}

template <typename T, size_t N>
std::vector<std::string> names(const std::array<SeccompName<T>, N> &table) {
  std::vector<std::string> out;
  out.reserve(N);
  for (const auto &e : table) out.emplace_back(e.name);
  return out;
}

// A system call's arguments are numbered 0 to 5.
constexpr uint32_t kMaxArgs = 6;

}  // namespace

std::span<const SeccompName<SeccompAction>> seccomp_actions() { return kActions; }
std::span<const SeccompName<SeccompOperator>> seccomp_operators() { return kOperators; }
std::span<const SeccompName<std::string_view>> seccomp_architectures() { return kArchitectures; }
std::span<const SeccompName<SeccompFlag>> seccomp_flags() { return kFlags; }

std::optional<SeccompAction> seccomp_action_from_name(std::string_view name) {
  return find(kActions, name);
}
std::optional<SeccompOperator> seccomp_operator_from_name(std::string_view name) {
  return find(kOperators, name);
}
std::optional<std::string_view> seccomp_arch_from_name(std::string_view name) {
  return find(kArchitectures, name);
}
std::optional<SeccompFlag> seccomp_flag_from_name(std::string_view name) {
  return find(kFlags, name);
}

std::vector<std::string> seccomp_action_names() { return names(kActions); }
std::vector<std::string> seccomp_operator_names() { return names(kOperators); }
std::vector<std::string> seccomp_architecture_names() { return names(kArchitectures); }
std::vector<std::string> seccomp_flag_names() { return names(kFlags); }

Result<void> validate_seccomp(const Seccomp &s) {
  if (s.default_action.empty()) return make_error("linux.seccomp.defaultAction: missing");
  auto def = seccomp_action_from_name(s.default_action);
  if (!def)
    return make_error("linux.seccomp.defaultAction: unknown action \"{}\"", s.default_action);
  // Every system call the init makes between loading the filter and handing
  // the listener to the agent would wait for an agent that cannot answer yet.
  if (*def == SeccompAction::Notify)
    return make_error(
        "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action (the runtime "
        "itself could not run on to pass the listener to the agent)");

  for (size_t i = 0; i < s.architectures.size(); ++i)
    if (!seccomp_arch_from_name(s.architectures[i]))
      return make_error("linux.seccomp.architectures[{}]: unknown architecture \"{}\"", i,
                        s.architectures[i]);

  for (size_t i = 0; i < s.flags.size(); ++i) {
    auto flag = seccomp_flag_from_name(s.flags[i]);
    if (!flag) return make_error("linux.seccomp.flags[{}]: unknown flag \"{}\"", i, s.flags[i]);
#if HAVE_LIBSECCOMP && !BERTH_SECCOMP_HAS_WAITKILL
    if (*flag == SeccompFlag::WaitKillableRecv)
      return make_error(
          "linux.seccomp.flags[{}]: {} needs libseccomp 2.6 or newer (berth was built with an "
          "older one)",
          i, s.flags[i]);
#endif
  }

  bool notifies = false;
  for (size_t i = 0; i < s.syscalls.size(); ++i) {
    const SeccompSyscall &call = s.syscalls[i];
    if (call.names.empty())
      return make_error("linux.seccomp.syscalls[{}].names: must name at least one system call", i);
    for (size_t j = 0; j < call.names.size(); ++j)
      if (call.names[j].empty())
        return make_error("linux.seccomp.syscalls[{}].names[{}]: empty system call name", i, j);
    auto action = seccomp_action_from_name(call.action);
    if (!action)
      return make_error("linux.seccomp.syscalls[{}].action: unknown action \"{}\"", i, call.action);
    if (*action == SeccompAction::Notify) {
      notifies = true;
      // The init reports the listener to the runtime with write(2) after the load.
      for (size_t j = 0; j < call.names.size(); ++j)
        if (call.names[j] == "write")
          return make_error(
              "linux.seccomp.syscalls[{}].names[{}]: SCMP_ACT_NOTIFY cannot be used for the "
              "write system call (the runtime needs it to pass the listener on)",
              i, j);
    }
    for (size_t j = 0; j < call.args.size(); ++j) {
      const SeccompArg &arg = call.args[j];
      if (arg.index >= kMaxArgs)
        return make_error(
            "linux.seccomp.syscalls[{}].args[{}].index: {} is out of range (system call "
            "arguments are numbered 0 to 5)",
            i, j, arg.index);
      if (!seccomp_operator_from_name(arg.op))
        return make_error("linux.seccomp.syscalls[{}].args[{}].op: unknown operator \"{}\"", i, j,
                          arg.op);
    }
  }
  if (notifies && s.listener_path.empty())
    return make_error(
        "linux.seccomp.listenerPath: required when a rule uses SCMP_ACT_NOTIFY (the agent that "
        "answers the notifications listens there)");

  if (!seccomp_available())
    return make_error("linux.seccomp: seccomp requested but berth was built without libseccomp");
  return {};
}

}  // namespace berth
