// linux.seccomp: the names a profile may use (one table per vocabulary,
// shared by validation, loading and `berth features`), a check the runtime
// runs before clone, and the load the container's init does as late as it can.
//
// Loading does not set no_new_privs itself (that is process.noNewPrivileges'
// job, see set_no_new_privileges()); without it the kernel only lets a process
// holding CAP_SYS_ADMIN load a filter, so an init whose config leaves
// noNewPrivileges false has to load the filter before it drops capabilities.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "libcontainer/fd.h"
#include "libcontainer/result.h"
#include "libcontainer/spec.h"

namespace berth {

enum class SeccompAction { KillThread, KillProcess, Trap, Errno, Trace, Allow, Log, Notify };
enum class SeccompOperator { NotEqual, Less, LessEqual, Equal, GreaterEqual, Greater, MaskedEqual };
enum class SeccompFlag { Tsync, Log, SpecAllow, WaitKillableRecv };

template <typename T>
struct SeccompName {
  std::string_view name;  // as the runtime-spec spells it: "SCMP_ACT_ERRNO"
  T value;
};

// The tables. Architectures map to libseccomp's own arch names ("x86_64"),
// which seccomp_arch_resolve_name understands.
std::span<const SeccompName<SeccompAction>> seccomp_actions();
std::span<const SeccompName<SeccompOperator>> seccomp_operators();
std::span<const SeccompName<std::string_view>> seccomp_architectures();
std::span<const SeccompName<SeccompFlag>> seccomp_flags();

// Lookups by spec name; nullopt for a name the table does not hold.
std::optional<SeccompAction> seccomp_action_from_name(std::string_view name);
std::optional<SeccompOperator> seccomp_operator_from_name(std::string_view name);
std::optional<std::string_view> seccomp_arch_from_name(std::string_view name);
std::optional<SeccompFlag> seccomp_flag_from_name(std::string_view name);

// Name lists for `berth features`, in table order.
std::vector<std::string> seccomp_action_names();
std::vector<std::string> seccomp_operator_names();
std::vector<std::string> seccomp_architecture_names();
std::vector<std::string> seccomp_flag_names();
// The flags this build's libseccomp and the running kernel can honour.
std::vector<std::string> seccomp_supported_flags();

// Whether berth was built with libseccomp.
bool seccomp_available();

// Before clone: every action, operator, architecture and flag known, argument
// indexes 0..5, listenerPath set when a rule notifies. Errors name the JSON
// path: `linux.seccomp.syscalls[3].action: unknown action "SCMP_ACT_FOO"`.
// Without libseccomp, any profile is an error saying so.
Result<void> validate_seccomp(const Seccomp &seccomp);

// Syscall names libseccomp does not know: load_seccomp skips their rules, as
// runc does (a profile written for a newer kernel still works). For a debug note.
std::vector<std::string> seccomp_unknown_syscalls(const Seccomp &seccomp);

// In the init, just before execve: builds the filter and loads it. A rule
// whose action equals the default action is skipped (libseccomp refuses it);
// a rule with two conditions on the same argument becomes one rule per
// condition, as runc does. Returns the notification listener fd when a rule
// uses SCMP_ACT_NOTIFY (the caller sends it on to listenerPath), otherwise
// an empty Fd.
Result<Fd> load_seccomp(const Seccomp &seccomp);

// Builds the same filter as load_seccomp without loading it, and writes its
// BPF program (an array of struct sock_filter) to fd. The program does not
// carry the filter flags nor the listener request: see seccomp_cache.h.
Result<void> export_seccomp_bpf(const Seccomp &seccomp, int fd);

}  // namespace berth
