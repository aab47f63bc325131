#include "libcontainer/exec.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <charconv>

#include "cgroups/manager.h"
#include "libcontainer/capabilities.h"
#include "libcontainer/console.h"
#include "libcontainer/lsm.h"
#include "libcontainer/file_util.h"
#include "libcontainer/intel_rdt.h"
#include "libcontainer/log.h"
#include "libcontainer/namespaces.h"
#include "libcontainer/proc_info.h"
#include "libcontainer/rlimits.h"
#include "libcontainer/scope_exit.h"
#include "libcontainer/seccomp.h"
#include "libcontainer/selinux_label.h"
#include "libcontainer/spec_parser.h"
#include "libcontainer/sync.h"

namespace berth {

namespace {

constexpr const char *kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

std::string_view env_key(std::string_view e) { return e.substr(0, e.find('=')); }

std::optional<std::string> env_lookup(const std::vector<std::string> &env, std::string_view key) {
  for (const auto &e : env)
    if (e.find('=') != std::string::npos && env_key(e) == key) return e.substr(key.size() + 1);
  return std::nullopt;
}

Result<uint32_t> parse_id(std::string_view text, std::string_view what) {
  uint32_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size())
    return make_error("{}: expected a number, got \"{}\"", what, text);
  return v;
}

void add_unique(std::vector<std::string> &set, const std::string &name) {
  if (std::find(set.begin(), set.end(), name) == set.end()) set.push_back(name);
}

// --- the joined process (runs after clone3, inside every namespace) ---------

// HOME from the container's /etc/passwd, read once the mount namespace is joined.
std::string home_of(uint32_t uid) {
  // read_file, not std::ifstream: no stream or locale code paged in for it.
  auto text = read_file("/etc/passwd");
  if (!text) return "/";
  std::string_view lines = *text;
  std::string want = std::to_string(uid);
  while (!lines.empty()) {
    size_t nl = lines.find('\n');
    std::string_view line = lines.substr(0, nl);
    lines = nl == std::string_view::npos ? std::string_view{} : lines.substr(nl + 1);
    std::vector<std::string_view> f;
    std::string_view rest = line;
    for (size_t pos; (pos = rest.find(':')) != std::string_view::npos; rest.remove_prefix(pos + 1))
      f.push_back(rest.substr(0, pos));
    f.push_back(rest);
    if (f.size() >= 6 && f[2] == want) return std::string(f[5]);
  }
  return "/";
}

Result<std::string> find_executable(const std::string &name, const std::vector<std::string> &env) {
  struct stat st;
  if (name.find('/') != std::string::npos) {
    if (::stat(name.c_str(), &st) < 0) return sys_error(errno, "exec: \"{}\"", name);
    if (S_ISDIR(st.st_mode)) return make_error("exec: \"{}\": is a directory", name);
    if (::access(name.c_str(), X_OK) < 0) return sys_error(errno, "exec: \"{}\"", name);
    return name;
  }
  std::string path = env_lookup(env, "PATH").value_or(kDefaultPath);
  for (size_t start = 0; start <= path.size();) {
    size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(candidate.c_str(), X_OK) == 0)
      return candidate;
    start = end + 1;
  }
  return make_error("exec: \"{}\": executable file not found in $PATH", name);
}

// The LSM label for the next execve. AppArmor's own attr file first: on
// kernels with several LSMs the generic one belongs to whichever came first.
Result<void> set_exec_label(const Process &p) {
  if (!p.apparmor_profile.empty()) {
    std::string text = "exec " + p.apparmor_profile;
    auto r = write_file("/proc/self/attr/apparmor/exec", text);
    if (!r) r = write_file("/proc/self/attr/exec", text);
    if (!r) return std::unexpected(r.error().context(fmt::format("apparmor profile \"{}\"", p.apparmor_profile)));
  }
  if (!p.selinux_label.empty())
    TRY_CTX(write_file("/proc/self/attr/exec", p.selinux_label), fmt::format("selinuxLabel \"{}\"", p.selinux_label));
  return {};
}

struct JoinedProcess {
  const Process *proc = nullptr;
  const Seccomp *seccomp = nullptr;  // the config's linux.seccomp, or null
  ResolvedCapabilities caps;
  int sync_fd = -1;
  int console_fd = -1;
  int preserve_fds = 0;
};

Result<std::pair<std::string, std::vector<std::string>>> setup_process(const JoinedProcess &j) {
  const Process &p = *j.proc;
  // setns(mnt) left root and cwd at the namespace's root, which after the
  // init's pivot_root is the container's rootfs: nothing of the host remains.
  if (::chdir("/") < 0) return sys_error(errno, "chdir / in the container");
  if (::setsid() < 0) return sys_error(errno, "setsid");
  if (p.terminal) {
    if (j.console_fd < 0) return make_error("--tty needs --console-socket (or berth in the foreground)");
    TRY(setup_console(j.console_fd, p.console_size, false));
  }
  TRY(apply_rlimits(p.rlimits));
  TRY(set_exec_label(p));
  // As the init does: without no_new_privs only a process still holding
  // CAP_SYS_ADMIN may load a filter, so it goes in before the caps drop.
  if (j.seccomp && !p.no_new_privileges) {
    Fd listener = TRY(load_seccomp(*j.seccomp));
    (void)listener;
  }
  TRY(drop_bounding_set(j.caps));
  const User &u = p.user;
  if (::setgroups(u.additional_gids.size(), reinterpret_cast<const gid_t *>(u.additional_gids.data())) < 0 &&
      !(errno == EPERM && u.additional_gids.empty()))
    return sys_error(errno, "setgroups");
  if (::setresgid(u.gid, u.gid, u.gid) < 0) return sys_error(errno, "setgid {}", u.gid);
  if (::setresuid(u.uid, u.uid, u.uid) < 0) return sys_error(errno, "setuid {}", u.uid);
  if (!p.cwd.empty() && ::chdir(p.cwd.c_str()) < 0) return sys_error(errno, "chdir to cwd \"{}\"", p.cwd);
  ::umask(u.umask ? *u.umask : 022);
  TRY(apply_capabilities(j.caps));
  if (p.no_new_privileges) TRY(set_no_new_privileges());

  std::vector<std::string> env = p.env;
  if (!env_lookup(env, "HOME")) env.push_back("HOME=" + home_of(u.uid));
  std::string exe = TRY(find_executable(p.args[0], env));
  return std::pair{exe, env};
}

[[noreturn]] void report_and_exit(int sync_fd, const Error &e) {
  (void)sync_send(sync_fd, SyncType::Error, e.code, e.message);
  _exit(1);
}

[[noreturn]] void run_joined(const JoinedProcess &j) {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  auto fail = [&](const Error &e) { report_and_exit(j.sync_fd, e); };
  auto ready = setup_process(j);
  if (!ready) fail(ready.error());
  auto &[exe, env] = *ready;

  // The preserved fds pass into the process even if the caller marked them
  // close-on-exec; no other fd of the runtime may (CVE-2024-21626).
  for (int fd = 3; fd < 3 + j.preserve_fds; ++fd)
    if (fd != j.sync_fd) ::fcntl(fd, F_SETFD, 0);
  ::syscall(SYS_close_range, 3 + j.preserve_fds, ~0U, CLOSE_RANGE_CLOEXEC);

  if (j.seccomp && j.proc->no_new_privileges) {
    auto listener = load_seccomp(*j.seccomp);
    if (!listener) fail(listener.error());
    (void)listener->release();
  }
  std::vector<char *> argv, envp;
  for (const auto &a : j.proc->args) argv.push_back(const_cast<char *>(a.c_str()));
  argv.push_back(nullptr);
  for (const auto &e : env) envp.push_back(const_cast<char *>(e.c_str()));
  envp.push_back(nullptr);
  ::execve(exe.c_str(), argv.data(), envp.data());
  report_and_exit(j.sync_fd, Error{errno, fmt::format("exec {}: {}", exe, std::strerror(errno))});
}

// --- the joiner (a plain fork of berth, still in the host's namespaces) -----

// The namespaces of target that differ from ours: joining one we share is
// pointless, and for the user namespace the kernel refuses it.
Result<int> namespaces_to_join(pid_t target) {
  int flags = 0;
  for (NamespaceType t : {NamespaceType::User, NamespaceType::Mount, NamespaceType::Pid, NamespaceType::Network,
                          NamespaceType::Ipc, NamespaceType::Uts, NamespaceType::Cgroup, NamespaceType::Time}) {
    std::string name = namespace_proc_name(t);
    struct stat theirs, ours;
    if (::stat(fmt::format("/proc/{}/ns/{}", target, name).c_str(), &theirs) < 0) {
      if (errno == ENOENT) continue;  // a kernel without this namespace kind
      return sys_error(errno, "stat /proc/{}/ns/{}", target, name);
    }
    if (::stat(fmt::format("/proc/self/ns/{}", name).c_str(), &ours) < 0) continue;
    if (theirs.st_ino != ours.st_ino || theirs.st_dev != ours.st_dev) flags |= namespace_clone_flag(t);
  }
  return flags;
}

[[noreturn]] void run_joiner(int pidfd, int ns_flags, const JoinedProcess &j) {
  auto go = sync_recv(j.sync_fd);
  if (!go || go->type != SyncType::Go) _exit(1);
  // One call, and the kernel orders it: the user namespace first, so the
  // others are joined with the capabilities it grants.
  if (ns_flags && ::setns(pidfd, ns_flags) < 0) {
    (void)sync_send(j.sync_fd, SyncType::Error, errno,
                    fmt::format("join the namespaces of the container's init: {}", std::strerror(errno)));
    _exit(1);
  }
  ::close(pidfd);
  struct clone_args args = {};
  args.flags = CLONE_PARENT;
  pid_t pid = static_cast<pid_t>(::syscall(SYS_clone3, &args, sizeof args));
  if (pid == 0) run_joined(j);
  if (pid < 0) {
    int err = errno;
    // A pid namespace whose init has died takes no new members.
    std::string why = err == ENOMEM ? "the container's init has exited" : std::strerror(err);
    (void)sync_send(j.sync_fd, SyncType::Error, err, fmt::format("start the process in the container: {}", why));
    _exit(1);
  }
  (void)sync_send(j.sync_fd, SyncType::Ready, 0, std::to_string(pid));
  _exit(0);
}

// --- the parent ---------------------------------------------------------------

// runc's --cgroup: "path" for every hierarchy, or "ctrl[,ctrl]:path" for
// some; path is below the container's own cgroup and must exist.
Result<nlohmann::json> sub_cgroup(nlohmann::json cg, const std::string &spec) {
  std::string path = spec, controllers;
  if (auto colon = spec.find(':'); colon != std::string::npos) {
    controllers = spec.substr(0, colon);
    path = spec.substr(colon + 1);
  }
  while (path.starts_with('/')) path.erase(0, 1);
  if (path.empty() || path == ".." || path.starts_with("../") || path.find("/../") != std::string::npos ||
      path.ends_with("/.."))
    return make_error("--cgroup {}: expected a path below the container's cgroup", spec);
  auto below = [&](nlohmann::json &v, std::string_view what) -> Result<void> {
    std::string dir = v.get<std::string>() + "/" + path;
    struct stat st;
    if (::stat(dir.c_str(), &st) < 0 || !S_ISDIR(st.st_mode))
      return make_error("--cgroup {}: {} sub-cgroup {} does not exist", spec, what, dir);
    v = dir;
    return {};
  };
  auto wanted = [&](std::string_view key) {
    if (controllers.empty()) return true;
    for (size_t s = 0; s <= controllers.size();) {
      size_t e = controllers.find(',', s);
      if (e == std::string::npos) e = controllers.size();
      std::string_view c = std::string_view(controllers).substr(s, e - s);
      // v1 keys name co-mounted controllers together ("cpu,cpuacct").
      for (size_t ks = 0; ks <= key.size();) {
        size_t ke = key.find(',', ks);
        if (ke == std::string_view::npos) ke = key.size();
        if (key.substr(ks, ke - ks) == c) return true;
        ks = ke + 1;
      }
      s = e + 1;
    }
    return false;
  };
  try {
    std::string kind = cg.value("kind", "");
    if (kind == "v2") {
      TRY(below(cg["path"], "cgroup v2"));
    } else {
      if (cg.contains("unified") && (controllers.empty() || wanted("unified"))) TRY(below(cg["unified"], "unified"));
      if (cg.contains("paths"))
        for (auto &[key, value] : cg["paths"].items())
          if (wanted(key)) TRY(below(value, key));
    }
  } catch (const nlohmann::json::exception &e) {
    return make_error("cgroup state: {}", e.what());
  }
  return cg;
}

Result<void> write_pid_file(const std::string &path, pid_t pid) {
  std::string abs = path;
  if (!abs.starts_with('/')) {
    char cwd[PATH_MAX];
    if (::getcwd(cwd, sizeof cwd)) abs = std::string(cwd) + "/" + abs;
  }
  return write_file_atomic(abs, std::to_string(pid), 0644);
}

}  // namespace

std::vector<std::string> merge_env(const std::vector<std::string> &base, const std::vector<std::string> &extra) {
  std::vector<std::string> out = base;
  for (const auto &e : extra) {
    auto same = std::find_if(out.begin(), out.end(), [&](const std::string &o) { return env_key(o) == env_key(e); });
    if (same != out.end()) *same = e;
    else out.push_back(e);
  }
  return out;
}

Result<std::pair<uint32_t, std::optional<uint32_t>>> parse_exec_user(std::string_view text) {
  auto colon = text.find(':');
  uint32_t uid = TRY(parse_id(text.substr(0, colon), "--user"));
  if (colon == std::string_view::npos) return std::pair{uid, std::optional<uint32_t>{}};
  return std::pair{uid, std::optional<uint32_t>(TRY(parse_id(text.substr(colon + 1), "--user")))};
}

Result<Process> exec_process(const Process &config, const ExecOverrides &o) {
  if (o.args.empty()) return make_error("exec: no command given");
  Process p = config;
  p.args = o.args;
  p.env = merge_env(config.env, o.env);
  for (const auto &e : o.env)
    if (e.find('=') == std::string::npos) return make_error("--env {}: expected KEY=value", e);
  if (o.cwd) p.cwd = *o.cwd;
  if (o.uid) p.user.uid = *o.uid;
  if (o.gid) p.user.gid = *o.gid;
  if (!o.additional_gids.empty()) p.user.additional_gids = o.additional_gids;
  if (!o.caps.empty()) {
    Capabilities c = p.capabilities.value_or(Capabilities{});
    for (const auto &name : o.caps) {
      for (auto *set : {&c.bounding, &c.effective, &c.permitted, &c.inheritable, &c.ambient}) add_unique(*set, name);
    }
    p.capabilities = c;
  }
  if (o.no_new_privs) p.no_new_privileges = true;
  if (o.apparmor) p.apparmor_profile = *o.apparmor;
  if (o.process_label) p.selinux_label = *o.process_label;
  p.terminal = o.tty;
  return p;
}

Result<Process> load_process_file(const std::string &path) {
  std::string text = TRY(read_file(path));
  // The spec parser reads a process object only inside a config: wrap it,
  // so both get the same checks and the same JSON paths in their errors.
  auto slash = path.rfind('/');
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  Spec s = TRY_CTX(parse_spec(R"({"ociVersion": "1.0.0", "process": )" + text + "\n}"), base);
  if (!s.process) return make_error("{}: not a process object", base);
  if (s.process->args.empty()) return make_error("{}: process.args: must not be empty", base);
  return *s.process;
}

Result<pid_t> exec_container(const RuntimeOptions &rt, const ExecOptions &opts) {
  // The lock is held only while reading: a long exec must not block delete.
  ContainerState state;
  {
    StateDir dir = TRY(StateDir::open(rt.root, opts.id));
    state = TRY(dir.load());
    Status st = container_status(state, dir);
    if (st == Status::Stopped) return make_error("cannot exec in a stopped container");
  }
  std::unique_ptr<cgroups::Manager> cg;
  if (!state.cgroup.is_null() && !state.cgroup.empty()) {
    if (!opts.sub_cgroup.empty()) cg = TRY(cgroups::manager_from_json(TRY(sub_cgroup(state.cgroup, opts.sub_cgroup))));
    else cg = TRY(cgroups::manager_from_json(state.cgroup));
    auto frozen = cg->freezer_state();
    if (frozen && *frozen != cgroups::FreezerState::Thawed && !opts.ignore_paused)
      return make_error("cannot exec in a paused container (use --ignore-paused to override)");
  } else if (!opts.sub_cgroup.empty()) {
    return make_error("--cgroup {}: the container has no cgroup", opts.sub_cgroup);
  }

  Spec spec = TRY(load_spec(state.bundle + "/config.json"));
  if (!spec.process || !spec.linux) return make_error("{}/config.json: process and linux are required", state.bundle);
  Process proc = opts.process ? *opts.process : TRY(exec_process(*spec.process, opts.overrides));
  if (proc.args.empty()) return make_error("exec: no command given");
  TRY_CTX(validate_rlimits(proc.rlimits), "exec process");
  auto caps = TRY_CTX(resolve_capabilities(proc.capabilities.value_or(Capabilities{})), "exec process");
  for (const auto &w : caps.warnings) log::warning(w);
  for (const auto &n : caps.notes) log::debug(n);
  if (!proc.apparmor_profile.empty() && !apparmor_enabled()) {
    // Only a label asked for on this exec is an error; create already
    // refused a config label on such a host.
    if (opts.overrides.apparmor || opts.process)
      return make_error("{} \"{}\": AppArmor is not enabled on this host (no /sys/kernel/security/apparmor)",
                        opts.process ? "--process: apparmorProfile" : "--apparmor", proc.apparmor_profile);
    proc.apparmor_profile.clear();
  }
  if (!proc.selinux_label.empty() && !selinux_enabled()) {
    if (opts.overrides.process_label || opts.process)
      return make_error("{} \"{}\": SELinux is not enabled on this host (no /sys/fs/selinux, or no policy loaded)",
                        opts.process ? "--process: selinuxLabel" : "--process-label", proc.selinux_label);
    proc.selinux_label.clear();
  }
  TRY(check_selinux_context(proc.selinux_label, opts.process                 ? "--process: selinuxLabel"
                                                : opts.overrides.process_label ? "--process-label"
                                                                               : "process.selinuxLabel"));

  Fd console;
  int console_fd = opts.console_socket_fd;
  if (!opts.console_socket.empty()) {
    if (!proc.terminal) return make_error("--console-socket given without --tty");
    console.reset(TRY(connect_console_socket(opts.console_socket)));
    console_fd = console.get();
  }
  if (proc.terminal && console_fd < 0) return make_error("--tty: use --console-socket to receive the terminal");
  if (!proc.terminal) console_fd = -1;

  // A pidfd pins the init: if its pid is recycled after this check, setns
  // through the fd fails instead of joining a stranger.
  Fd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, state.pid, 0)));
  if (!pidfd) {
    if (errno == ESRCH) return make_error("cannot exec in a stopped container");
    return sys_error(errno, "pidfd_open {}", state.pid);
  }
  if (!process_is_alive(state.pid, state.pid_start_time)) return make_error("cannot exec in a stopped container");
  int ns_flags = TRY(namespaces_to_join(state.pid));

  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) return sys_error(errno, "socketpair");
  Fd ours(sv[0]), theirs(sv[1]);
  // Keep the child's end out of the range of preserved fds.
  if (theirs.get() < 3 + opts.preserve_fds) {
    Fd moved(::fcntl(theirs.get(), F_DUPFD_CLOEXEC, 3 + opts.preserve_fds));
    if (!moved) return sys_error(errno, "move the sync socket");
    theirs = std::move(moved);
  }

  JoinedProcess j;
  j.proc = &proc;
  j.seccomp = spec.linux->seccomp ? &*spec.linux->seccomp : nullptr;
  j.caps = caps.caps;
  j.sync_fd = theirs.get();
  j.console_fd = console_fd;
  j.preserve_fds = opts.preserve_fds;

  // Nothing in the container may open /proc/<pid>/exe or the memory of
  // these copies of berth before they exec (CVE-2019-5736).
  if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) return sys_error(errno, "prctl(PR_SET_DUMPABLE)");
  pid_t joiner = ::fork();
  if (joiner < 0) return sys_error(errno, "fork");
  if (joiner == 0) {
    ours.reset();
    run_joiner(pidfd.get(), ns_flags, j);
  }
  theirs.reset();
  pid_t pid = -1;
  bool joiner_reaped = false;
  ScopeExit undo([&] {
    if (!joiner_reaped) {
      ::kill(joiner, SIGKILL);
      ::waitpid(joiner, nullptr, 0);
    }
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  });

  if (cg) TRY_CTX(cg->add_process(joiner), "place the exec'd process in the container's cgroup");
  // As runc's setns process: the joiner's children inherit the CLOS.
  if (auto r = state.extra.find("intelRdt"); r != state.extra.end())
    TRY_CTX(add_to_intel_rdt(RdtGroup::from_json(*r), joiner), "place the exec'd process in the container's resctrl group");
  TRY(sync_send(ours.get(), SyncType::Go));
  auto msg = sync_recv(ours.get());
  if (!msg) return make_error("the process joining the container exited early");
  if (msg->type == SyncType::Error) return std::unexpected(Error{msg->err, msg->text});
  if (msg->type != SyncType::Ready) return make_error("sync: unexpected message {}", static_cast<int>(msg->type));
  pid = std::stoi(msg->text);
  ::waitpid(joiner, nullptr, 0);
  joiner_reaped = true;
  // Either an error from the process, or the end of the socket when its
  // execve closed the last copy.
  auto last = sync_recv(ours.get());
  if (last && last->type == SyncType::Error) return std::unexpected(Error{last->err, last->text});
  if (!opts.pid_file.empty()) TRY(write_pid_file(opts.pid_file, pid));
  undo.dismiss();
  return pid;
}

}  // namespace berth
