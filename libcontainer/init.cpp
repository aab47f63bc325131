#include "libcontainer/init.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <optional>
#include <string_view>

#include "libcontainer/console.h"
#include "libcontainer/file_util.h"
#include "libcontainer/hook_points.h"
#include "libcontainer/hooks.h"
#include "libcontainer/lsm.h"
#include "libcontainer/process_attrs.h"
#include "libcontainer/rlimits.h"
#include "libcontainer/seccomp.h"
#include "libcontainer/seccomp_cache.h"
#include "libcontainer/selinux_label.h"
#include "libcontainer/sync.h"

namespace berth {

namespace {

constexpr const char *kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

std::string env_value(const std::vector<std::string> &env, std::string_view key) {
  for (const auto &e : env)
    if (e.size() > key.size() && e.compare(0, key.size(), key) == 0 && e[key.size()] == '=')
      return e.substr(key.size() + 1);
  return {};
}

bool env_has(const std::vector<std::string> &env, std::string_view key) {
  for (const auto &e : env)
    if (e.size() > key.size() && e.compare(0, key.size(), key) == 0 && e[key.size()] == '=') return true;
  return false;
}

// HOME from the container's /etc/passwd, as runc sets it when the config does not.
std::string home_of(uint32_t uid) {
  // read_file, not std::ifstream: no stream or locale code paged in for it.
  auto text = read_file("/etc/passwd");
  if (!text) return "/";
  std::string_view lines = *text;
  while (!lines.empty()) {
    size_t nl = lines.find('\n');
    std::string_view line = lines.substr(0, nl);
    lines = nl == std::string_view::npos ? std::string_view{} : lines.substr(nl + 1);
    std::vector<std::string> f;
    size_t start = 0, pos;
    while ((pos = line.find(':', start)) != std::string::npos) {
      f.emplace_back(line.substr(start, pos - start));
      start = pos + 1;
    }
    f.emplace_back(line.substr(start));
    if (f.size() >= 6 && f[2] == std::to_string(uid)) return f[5];
  }
  return "/";
}

Result<std::string> find_executable(const std::string &name, const std::vector<std::string> &env) {
  if (name.find('/') != std::string::npos) {
    struct stat st;
    if (::stat(name.c_str(), &st) < 0) return sys_error(errno, "exec: \"{}\"", name);
    if (S_ISDIR(st.st_mode)) return make_error("exec: \"{}\": is a directory", name);
    if (::access(name.c_str(), X_OK) < 0) return sys_error(errno, "exec: \"{}\"", name);
    return name;
  }
  std::string path = env_has(env, "PATH") ? env_value(env, "PATH") : kDefaultPath;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + name;
    struct stat st;
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(candidate.c_str(), X_OK) == 0)
      return candidate;
    start = end + 1;
  }
  return make_error("exec: \"{}\": executable file not found in $PATH", name);
}

Result<void> join_namespaces(const NamespacePlan &ns) {
  for (const auto &j : ns.joins)
    if (::setns(j.fd.get(), namespace_clone_flag(j.type)) < 0)
      return sys_error(errno, "join {} namespace {}", namespace_proc_name(j.type), j.path);
  if (ns.unshare_flags && ::unshare(ns.unshare_flags) < 0) return sys_error(errno, "unshare namespaces");
  return {};
}

Result<void> set_identity(const User &user) {
  if (::setgroups(user.additional_gids.size(), reinterpret_cast<const gid_t *>(user.additional_gids.data())) < 0 &&
      !(errno == EPERM && user.additional_gids.empty()))
    return sys_error(errno, "setgroups");
  if (::setresgid(user.gid, user.gid, user.gid) < 0) return sys_error(errno, "setgid {}", user.gid);
  if (::setresuid(user.uid, user.uid, user.uid) < 0) return sys_error(errno, "setuid {}", user.uid);
  return {};
}

Result<void> prepare_cwd(const std::string &cwd) {
  if (cwd.empty()) return {};
  // runc creates a missing cwd; do the same before the user changes.
  if (::access(cwd.c_str(), F_OK) < 0 && errno == ENOENT) TRY(mkdir_all(cwd, 0755));
  return {};
}

// KEYCTL_DESCRIBE gives "type;uid;gid;perm;description", perm in hex.
std::optional<unsigned long> keyring_perm(long serial) {
  char buf[512];
  long n = ::syscall(SYS_keyctl, 6 /* KEYCTL_DESCRIBE */, serial, buf, sizeof buf);
  if (n <= 0) return std::nullopt;
  std::string_view d(buf, std::min<size_t>(n, sizeof buf) - 1);
  for (int field = 0; field < 3; field++) {
    auto semi = d.find(';');
    if (semi == std::string_view::npos) return std::nullopt;
    d.remove_prefix(semi + 1);
  }
  unsigned long perm = 0;
  auto [end, ec] = std::from_chars(d.data(), d.data() + d.size(), perm, 16);
  if (ec != std::errc() || end == d.data()) return std::nullopt;
  return perm;
}

Result<void> open_session_keyring(const std::string &id, const std::string &label) {
  std::string name = "_ses." + id;
  // As runc: the keyring carries the process's label, not the runtime's.
  TRY(set_key_label(label, "process.selinuxLabel"));
  long serial = ::syscall(SYS_keyctl, 1 /* KEYCTL_JOIN_SESSION_KEYRING */, name.c_str());
  if (!label.empty()) reset_key_label();
  if (serial < 0) {
    // Kernels without keys, or seccomp'd hosts: runc carries on too.
    if (errno == ENOSYS || errno == EPERM || errno == EACCES) return {};
    return sys_error(errno, "join session keyring {}", name);
  }
  // As runc: the container's user may search its session keyring
  // (KEY_USR_SEARCH), so a process that changes uid can still use it.
  if (auto perm = keyring_perm(serial)) {
    if (::syscall(SYS_keyctl, 5 /* KEYCTL_SETPERM */, serial, *perm | 0x00080000UL) < 0 && errno != EACCES)
      return sys_error(errno, "set the permissions of session keyring {}", name);
  }
  return {};
}

// The parent compiled the program (or found it cached): no libseccomp work here.
Result<Fd> load_filter(const InitContext &ctx) {
  if (ctx.seccomp_program) return load_seccomp_program(*ctx.seccomp_program);
  return load_seccomp(*ctx.spec->linux->seccomp);
}

// The NOTIFY listener goes to the parent, which hands it to listenerPath.
Result<void> pass_seccomp_listener(int sync_fd, Fd listener) {
  if (!listener) return {};
  TRY(sync_send(sync_fd, SyncType::SeccompListener));
  return send_fd(sync_fd, listener.get(), "seccomp");
}

// Everything up to Ready. Returns the argv[0] path to exec; hook_state gets
// the state JSON when the parent ran the pre-pivot hooks.
Result<std::string> init_container(const InitContext &ctx, std::vector<std::string> &env, std::string &hook_state) {
  const Spec &spec = *ctx.spec;
  const Process &proc = *spec.process;
  const NamespacePlan &ns = *ctx.ns;

  auto go = TRY(sync_recv(ctx.sync_fd));
  if (go.type != SyncType::Go) return make_error("sync: expected go, got message {}", static_cast<int>(go.type));
  // A rootless parent left the init dumpable to write its id maps; those are
  // written now (CVE-2019-5736, see create_container).
  if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) return sys_error(errno, "prctl(PR_SET_DUMPABLE)");
  if (proc.exec_cpu_affinity) TRY(apply_cpu_affinity(proc.exec_cpu_affinity->initial, "initial"));

  // The maps are written; become root of the new user namespace.
  if (ns.new_user) {
    if (::setresgid(0, 0, 0) < 0) return sys_error(errno, "setgid 0 in user namespace");
    if (::setresuid(0, 0, 0) < 0) return sys_error(errno, "setuid 0 in user namespace");
  }
  TRY(join_namespaces(ns));
  if (::setsid() < 0) return sys_error(errno, "setsid");
  if (ctx.new_keyring) TRY(open_session_keyring(ctx.id, proc.selinux_label));

  if (!spec.hostname.empty()) {
    if (!ns.new_uts && !(ns.unshare_flags & CLONE_NEWUTS))
      return make_error("cannot set hostname without a private UTS namespace");
    if (::sethostname(spec.hostname.data(), spec.hostname.size()) < 0)
      return sys_error(errno, "sethostname {}", spec.hostname);
  }
  if (!spec.domainname.empty()) {
    if (!ns.new_uts && !(ns.unshare_flags & CLONE_NEWUTS))
      return make_error("cannot set domainname without a private UTS namespace");
    if (::setdomainname(spec.domainname.data(), spec.domainname.size()) < 0)
      return sys_error(errno, "setdomainname {}", spec.domainname);
  }

  RootfsOptions rootfs = ctx.rootfs;
  if (spec.hooks && hooks_need_handshake(*spec.hooks)) {
    rootfs.before_pivot = [&]() -> Result<void> {
      hook_state = TRY(init_hook_pause(ctx.sync_fd, *spec.hooks));
      return {};
    };
  }
  if (ns.any_mount) {
    TRY(prepare_rootfs(spec, rootfs));
  } else {
    if (rootfs.before_pivot) TRY(rootfs.before_pivot());
    if (::chroot(ctx.rootfs.rootfs.c_str()) < 0) return sys_error(errno, "chroot {}", ctx.rootfs.rootfs);
    if (::chdir("/") < 0) return sys_error(errno, "chdir /");
  }
  if (proc.terminal) {
    if (ctx.console_fd < 0) return make_error("process.terminal is true but no --console-socket was given");
    TRY(setup_console(ctx.console_fd, proc.console_size, ns.any_mount));
  }
  if (ns.any_mount) TRY(finalize_rootfs(spec));

  TRY(prepare_cwd(proc.cwd));
  TRY(apply_process_attrs(spec));
  TRY(apply_rlimits(proc.rlimits));
  // Without no_new_privs, loading a filter needs CAP_SYS_ADMIN, so it goes in
  // before the capabilities are dropped (as runc does); the profile must then
  // allow what follows (setuid, capset, prctl, the FIFO, execve).
  const auto &seccomp = spec.linux->seccomp;
  if (seccomp && !proc.no_new_privileges) {
    TRY(pass_seccomp_listener(ctx.sync_fd, TRY(load_filter(ctx))));
  }
  TRY(drop_bounding_set(ctx.caps));
  TRY(set_identity(proc.user));
  if (!proc.cwd.empty() && ::chdir(proc.cwd.c_str()) < 0) return sys_error(errno, "chdir to cwd \"{}\"", proc.cwd);
  if (proc.user.umask) ::umask(*proc.user.umask);
  else ::umask(022);
  TRY(apply_capabilities(ctx.caps));
  if (proc.no_new_privileges) TRY(set_no_new_privileges());
  // A NOTIFY profile must reach the parent while it still listens.
  if (seccomp && proc.no_new_privileges && !seccomp->listener_path.empty())
    TRY(pass_seccomp_listener(ctx.sync_fd, TRY(load_filter(ctx))));

  env = proc.env;
  if (!env_has(env, "HOME")) env.push_back("HOME=" + home_of(proc.user.uid));
  return find_executable(proc.args[0], env);
}

[[noreturn]] void fail(const InitContext &ctx, const Error &e) {
  (void)sync_send(ctx.sync_fd, SyncType::Error, e.code, e.message);
  _exit(1);
}

}  // namespace

void run_init(const InitContext &ctx) {
  // `run` blocks the signals it forwards; the container's process must get them.
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  if (ctx.lock_fd >= 0) ::close(ctx.lock_fd);

  std::vector<std::string> env;
  std::string hook_state;
  auto exe = init_container(ctx, env, hook_state);
  if (!exe) fail(ctx, exe.error());

  // Ready: from here only the start gate remains, so create can return.
  if (auto r = sync_send(ctx.sync_fd, SyncType::Ready); !r) _exit(1);
  ::close(ctx.sync_fd);

  if (ctx.fifo_fd >= 0) {
    // Blocks until `start` writes the byte.
    char c;
    ssize_t n;
    while ((n = ::read(ctx.fifo_fd, &c, 1)) < 0 && errno == EINTR) {
    }
    if (n != 1) _exit(1);
  }

  // No fd of the runtime may reach the process (CVE-2024-21626).
  ::syscall(SYS_close_range, 3 + ctx.preserve_fds, ~0U, CLOSE_RANGE_CLOEXEC);

  const Spec &spec = *ctx.spec;
  if (spec.hooks && !spec.hooks->start_container.empty()) {
    // Nobody listens on the sync socket any more: the container's stderr
    // is where this failure can still be seen.
    // The parent took the state while creating; by now start has been
    // called, and the hooks must see the container as created (runtime.md).
    if (auto at = hook_state.find("\"status\": \"creating\""); at != std::string::npos)
      hook_state.replace(at, 20, "\"status\": \"created\"");
    if (auto r = run_hooks(*spec.hooks, HookKind::StartContainer, hook_state); !r) {
      fmt::print(stderr, "berth: {}\n", r.error().message);
      _exit(1);
    }
  }
  if (spec.process->exec_cpu_affinity) {
    if (auto r = apply_cpu_affinity(spec.process->exec_cpu_affinity->final, "final"); !r) {
      fmt::print(stderr, "berth: {}\n", r.error().message);
      _exit(1);
    }
  }

  // After the startContainer hooks: their exec would consume the label.
  if (auto r = apply_exec_labels(*spec.process); !r) {
    fmt::print(stderr, "berth: {}\n", r.error().message);
    _exit(1);
  }

  // As late as possible: after this only execve runs.
  const auto &seccomp = ctx.spec->linux->seccomp;
  if (seccomp && ctx.spec->process->no_new_privileges && seccomp->listener_path.empty()) {
    auto listener = load_filter(ctx);
    if (!listener) {
      fmt::print(stderr, "berth: {}\n", listener.error().message);
      _exit(1);
    }
    (void)listener->release();
  }

  std::vector<char *> argv, envp;
  for (const auto &a : ctx.spec->process->args) argv.push_back(const_cast<char *>(a.c_str()));
  argv.push_back(nullptr);
  for (const auto &e : env) envp.push_back(const_cast<char *>(e.c_str()));
  envp.push_back(nullptr);
  ::execve(exe->c_str(), argv.data(), envp.data());
  // After Ready nobody listens on sync_fd; say it on stderr, as runc does.
  fmt::print(stderr, "berth: exec {}: {}\n", *exe, std::strerror(errno));
  _exit(127);
}

}  // namespace berth
