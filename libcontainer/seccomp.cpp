// Building and loading the filter with libseccomp, in the container's init.
#include "libcontainer/seccomp.h"
#include "config.h"

#if HAVE_LIBSECCOMP
#include <seccomp.h>
#if SCMP_VER_MAJOR > 2 || (SCMP_VER_MAJOR == 2 && SCMP_VER_MINOR >= 6)
#define BERTH_SECCOMP_HAS_WAITKILL 1
#endif
#endif

#include <array>
#include <memory>

namespace berth {

#if HAVE_LIBSECCOMP

namespace {

struct FilterRelease {
  void operator()(void *ctx) const { seccomp_release(ctx); }
};
using Filter = std::unique_ptr<void, FilterRelease>;

// errnoRet, when absent, is EPERM for both actions that carry one (runc's choice).
uint32_t action_value(SeccompAction a, std::optional<uint32_t> errno_ret) {
  switch (a) {
    case SeccompAction::KillThread: return SCMP_ACT_KILL_THREAD;
    case SeccompAction::KillProcess: return SCMP_ACT_KILL_PROCESS;
    case SeccompAction::Trap: return SCMP_ACT_TRAP;
    case SeccompAction::Errno: return SCMP_ACT_ERRNO(errno_ret.value_or(EPERM));
    case SeccompAction::Trace: return SCMP_ACT_TRACE(errno_ret.value_or(EPERM));
    case SeccompAction::Allow: return SCMP_ACT_ALLOW;
    case SeccompAction::Log: return SCMP_ACT_LOG;
    case SeccompAction::Notify: return SCMP_ACT_NOTIFY;
  }
  return SCMP_ACT_KILL_PROCESS;
}

scmp_compare operator_value(SeccompOperator op) {
  switch (op) {
    case SeccompOperator::NotEqual: return SCMP_CMP_NE;
    case SeccompOperator::Less: return SCMP_CMP_LT;
    case SeccompOperator::LessEqual: return SCMP_CMP_LE;
    case SeccompOperator::Equal: return SCMP_CMP_EQ;
    case SeccompOperator::GreaterEqual: return SCMP_CMP_GE;
    case SeccompOperator::Greater: return SCMP_CMP_GT;
    case SeccompOperator::MaskedEqual: return SCMP_CMP_MASKED_EQ;
  }
  return _SCMP_CMP_MIN;
}

// TSYNC is accepted and left alone, as runc does: the init is single-threaded
// and execs right after, and libseccomp before API level 6 refuses TSYNC
// together with a notification listener.
Result<void> set_flag(scmp_filter_ctx ctx, SeccompFlag flag, std::string_view name) {
  int rc = 0;
  switch (flag) {
    case SeccompFlag::Tsync: return {};
    case SeccompFlag::Log: rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_LOG, 1); break;
    case SeccompFlag::SpecAllow: rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_SSB, 1); break;
    case SeccompFlag::WaitKillableRecv:
#if BERTH_SECCOMP_HAS_WAITKILL
      rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_WAITKILL, 1);
      break;
#else
      return make_error("seccomp flag {}: needs libseccomp 2.6 or newer", name);
#endif
  }
  if (rc < 0)
    return sys_error(-rc, "seccomp flag {} (not supported by this kernel or libseccomp?)", name);
  return {};
}

Result<void> add_rule(scmp_filter_ctx ctx, uint32_t action, int nr, std::string_view name,
                      const scmp_arg_cmp *conds, unsigned count) {
  int rc = seccomp_rule_add_array(ctx, action, nr, count, conds);
  if (rc < 0) return sys_error(-rc, "seccomp: add the rule for system call {}", name);
  return {};
}

Result<void> add_syscall_rules(scmp_filter_ctx ctx, const SeccompSyscall &call, uint32_t action) {
  std::vector<scmp_arg_cmp> conds;
  conds.reserve(call.args.size());
  std::array<unsigned, 6> per_index{};
  bool shared_index = false;
  for (const SeccompArg &arg : call.args) {
    // validate_seccomp keeps these in range; a config loaded without it must not overflow.
    auto op = seccomp_operator_from_name(arg.op);
    if (!op) return make_error("seccomp: unknown operator \"{}\"", arg.op);
    if (arg.index >= per_index.size())
      return make_error("seccomp: argument index {} out of range", arg.index);
    shared_index |= ++per_index[arg.index] > 1;
    conds.push_back(scmp_arg_cmp{arg.index, operator_value(*op), arg.value, arg.value_two});
  }

  for (const std::string &name : call.names) {
    int nr = seccomp_syscall_resolve_name(name.c_str());
    if (nr == __NR_SCMP_ERROR) continue;  // a newer kernel's call: seccomp_unknown_syscalls says so
    // libseccomp joins a rule's conditions with AND and refuses two on one
    // argument; profiles that do that mean OR, so each becomes its own rule.
    if (shared_index) {
      for (const scmp_arg_cmp &cond : conds)
        if (auto r = add_rule(ctx, action, nr, name, &cond, 1); !r) return r;
    } else {
      auto r = add_rule(ctx, action, nr, name, conds.data(), static_cast<unsigned>(conds.size()));
      if (!r) return r;
    }
  }
  return {};
}

}  // namespace

bool seccomp_available() { return true; }

std::vector<std::string> seccomp_supported_flags() {
  std::vector<std::string> out;
  for (const auto &f : seccomp_flags()) {
    Filter ctx(seccomp_init(SCMP_ACT_ALLOW));
    if (!ctx) break;
    if (set_flag(ctx.get(), f.value, f.name)) out.emplace_back(f.name);
  }
  return out;
}

std::vector<std::string> seccomp_unknown_syscalls(const Seccomp &s) {
  std::vector<std::string> out;
  for (const auto &call : s.syscalls)
    for (const auto &name : call.names)
      if (seccomp_syscall_resolve_name(name.c_str()) == __NR_SCMP_ERROR) out.push_back(name);
  return out;
}

namespace {

struct BuiltFilter {
  Filter ctx;
  bool notifies = false;  // some rule uses SCMP_ACT_NOTIFY
};


Result<BuiltFilter> build_filter(const Seccomp &s) {
  auto def = seccomp_action_from_name(s.default_action);
  if (!def) return make_error("seccomp: unknown default action \"{}\"", s.default_action);
  const uint32_t default_action = action_value(*def, s.default_errno_ret);

  Filter ctx(seccomp_init(default_action));
  if (!ctx)
    return make_error("seccomp: cannot create a filter with default action {}", s.default_action);

  for (const std::string &arch : s.architectures) {
    auto lib_name = seccomp_arch_from_name(arch);
    if (!lib_name) return make_error("seccomp: unknown architecture \"{}\"", arch);
    uint32_t token = seccomp_arch_resolve_name(std::string(*lib_name).c_str());
    if (token == 0)
      return make_error("seccomp: architecture {} is not supported by this libseccomp", arch);
    int rc = seccomp_arch_add(ctx.get(), token);
    if (rc < 0 && rc != -EEXIST)  // the native one is there from the start
      return sys_error(-rc, "seccomp: add architecture {}", arch);
  }

  for (const std::string &name : s.flags) {
    auto flag = seccomp_flag_from_name(name);
    if (!flag) return make_error("seccomp: unknown flag \"{}\"", name);
    if (auto r = set_flag(ctx.get(), *flag, name); !r) return std::unexpected(std::move(r.error()));
  }

  // The config's noNewPrivileges decides no_new_privs, not the filter.
  if (int rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_NNP, 0); rc < 0)
    return sys_error(-rc, "seccomp: clear the no_new_privs attribute");

  // A binary search tree pays off on long profiles; libseccomp up to 2.5.4
  // builds a broken one for an empty filter, hence the threshold. Older
  // libseccomp without the attribute just keeps its linear filter.
  if (s.syscalls.size() > 32) seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_OPTIMIZE, 2);

  bool notifies = false;
  for (const SeccompSyscall &call : s.syscalls) {
    auto act = seccomp_action_from_name(call.action);
    if (!act) return make_error("seccomp: unknown action \"{}\"", call.action);
    const uint32_t action = action_value(*act, call.errno_ret);
    if (action == default_action) continue;  // libseccomp refuses it, and it changes nothing
    if (*act == SeccompAction::Notify) {
      if (seccomp_api_get() < 6)
        return make_error(
            "seccomp: SCMP_ACT_NOTIFY needs libseccomp 2.5 or newer and Linux 5.7 or newer (API "
            "level 6; this one is {})",
            seccomp_api_get());
      notifies = true;
    }
    if (auto r = add_syscall_rules(ctx.get(), call, action); !r)
      return std::unexpected(std::move(r.error()));
  }

  return BuiltFilter{std::move(ctx), notifies};
}

}  // namespace

Result<void> export_seccomp_bpf(const Seccomp &s, int fd) {
  BuiltFilter f = TRY(build_filter(s));
  if (int rc = seccomp_export_bpf(f.ctx.get(), fd); rc < 0) return sys_error(-rc, "seccomp: export the filter");
  return {};
}

Result<Fd> load_seccomp(const Seccomp &s) {
  BuiltFilter f = TRY(build_filter(s));
  Filter &ctx = f.ctx;
  if (int rc = seccomp_load(ctx.get()); rc < 0) {
    if (rc == -EACCES)
      return sys_error(-rc,
                       "load the seccomp filter (without no_new_privs this needs CAP_SYS_ADMIN: "
                       "load it before capabilities are dropped)");
    return sys_error(-rc, "load the seccomp filter");
  }

  if (!f.notifies) return Fd();
  // The kernel made the listener close-on-exec; libseccomp only hands it out.
  int fd = seccomp_notify_fd(ctx.get());
  if (fd < 0) return sys_error(-fd, "seccomp: get the notification listener");
  return Fd(fd);
}

#else  // !HAVE_LIBSECCOMP

bool seccomp_available() { return false; }

std::vector<std::string> seccomp_supported_flags() { return {}; }

std::vector<std::string> seccomp_unknown_syscalls(const Seccomp &) { return {}; }

Result<Fd> load_seccomp(const Seccomp &) {
  return make_error("seccomp requested but berth was built without libseccomp");
}

Result<void> export_seccomp_bpf(const Seccomp &, int) {
  return make_error("seccomp requested but berth was built without libseccomp");
}

#endif

}  // namespace berth
