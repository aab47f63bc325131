#include "libcontainer/container.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>

#include "cgroups/device_rules.h"
#include "cgroups/manager.h"
#include "cgroups/systemd_manager.h"
#include "libcontainer/capabilities.h"
#include "libcontainer/console.h"
#include "libcontainer/file_util.h"
#include "libcontainer/hook_points.h"
#include "libcontainer/hooks.h"
#include "libcontainer/idmap_trees.h"
#include "libcontainer/init.h"
#include "libcontainer/intel_rdt.h"
#include "libcontainer/log.h"
#include "libcontainer/lsm.h"
#include "libcontainer/namespaces.h"
#include "libcontainer/net_devices.h"
#include "libcontainer/proc_info.h"
#include "libcontainer/rlimits.h"
#include "libcontainer/rootless.h"
#include "libcontainer/scope_exit.h"
#include "libcontainer/seccomp.h"
#include "libcontainer/seccomp_cache.h"
#include "libcontainer/seccomp_notify.h"
#include "libcontainer/spec_parser.h"
#include "libcontainer/sync.h"

namespace berth {

namespace {

constexpr const char *kOciVersion = "1.3.0";

Result<std::string> real_path(const std::string &path, std::string_view what) {
  char buf[PATH_MAX];
  if (!::realpath(path.c_str(), buf)) return sys_error(errno, "{} {}", what, path);
  return std::string(buf);
}

// Checks what parse_spec cannot know: the bundle on disk and the parts the
// runtime requires to run something.
Result<void> check_runnable(const Spec &spec) {
  if (!spec.process) return make_error("config.json: process: required to create a container");
  if (!spec.root) return make_error("config.json: root: required on Linux");
  if (!spec.linux) return make_error("config.json: linux: required on Linux");
  return {};
}

pid_t clone_init(int flags, int cgroup_fd) {
  struct clone_args args = {};
  args.flags = static_cast<uint64_t>(flags) | (cgroup_fd >= 0 ? CLONE_INTO_CGROUP : 0);
  args.exit_signal = SIGCHLD;
  if (cgroup_fd >= 0) args.cgroup = static_cast<uint64_t>(cgroup_fd);
  return static_cast<pid_t>(::syscall(SYS_clone3, &args, sizeof args));
}

// Waits (bounded) until pid is no longer the container's process.
bool wait_gone(pid_t pid, uint64_t start_time, int timeout_ms) {
  int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (fd >= 0 && !process_is_alive(pid, start_time)) {
    ::close(fd);
    return true;
  }
  for (int waited = 0; waited < timeout_ms; waited += 10) {
    if (!process_is_alive(pid, start_time)) break;
    if (fd >= 0) {
      struct pollfd p = {fd, POLLIN, 0};
      ::poll(&p, 1, 10);
    } else {
      ::usleep(10000);
    }
    // Our own child (run, or a failed create) must be reaped to disappear.
    ::waitpid(pid, nullptr, WNOHANG);
  }
  if (fd >= 0) ::close(fd);
  return !process_is_alive(pid, start_time);
}

std::string owner_name(const std::string &dir) {
  struct stat st;
  if (::stat(dir.c_str(), &st) < 0) return "";
  struct passwd *pw = ::getpwuid(st.st_uid);
  return pw ? pw->pw_name : std::to_string(st.st_uid);
}

Result<void> write_pid_file(const std::string &path, pid_t pid) {
  std::string abs = path;
  if (!abs.empty() && abs[0] != '/') {
    char cwd[PATH_MAX];
    if (::getcwd(cwd, sizeof cwd)) abs = std::string(cwd) + "/" + abs;
  }
  return write_file_atomic(abs, std::to_string(pid), 0644);
}

}  // namespace

Result<pid_t> create_container(const RuntimeOptions &rt, const CreateOptions &opts) {
  TRY(validate_id(opts.id));
  std::string bundle = TRY(real_path(opts.bundle, "bundle"));
  Spec spec = TRY(load_spec(bundle + "/config.json"));
  TRY(check_runnable(spec));
  std::string rootfs_in = spec.root->path[0] == '/' ? spec.root->path : bundle + "/" + spec.root->path;
  std::string rootfs = TRY_CTX(real_path(rootfs_in, "rootfs"), "config.json: root.path");
  struct stat st;
  if (::stat(rootfs.c_str(), &st) < 0 || !S_ISDIR(st.st_mode))
    return make_error("config.json: root.path: {} is not a directory", rootfs);
  const Linux &linux = *spec.linux;
  if (linux.find_namespace(NamespaceType::User) && !linux.find_namespace(NamespaceType::User)->path.empty() &&
      !linux.uid_mappings.empty())
    return make_error("config.json: linux.uidMappings: cannot be set when joining an existing user namespace");

  TRY_CTX(validate_rlimits(spec.process->rlimits), "config.json");
  if (linux.seccomp) TRY_CTX(validate_seccomp(*linux.seccomp), "config.json");
  TRY_CTX(check_lsm_labels(spec), "config.json");
  TRY_CTX(check_intel_rdt(spec), "config.json");
  auto caps = TRY_CTX(resolve_capabilities(spec.process->capabilities.value_or(Capabilities{})), "config.json");
  for (const auto &w : caps.warnings) log::warning(w);
  for (const auto &n : caps.notes) log::debug(n);

  NamespacePlan ns = TRY(plan_namespaces(linux));
  if (ns.new_user && (linux.uid_mappings.empty() || linux.gid_mappings.empty()))
    return make_error("config.json: linux.uidMappings: a new user namespace needs uid and gid mappings");
  TRY_CTX(validate_net_devices(linux, ns), "config.json");
  // Compiled before clone, so the init only loads a buffer already in memory.
  std::optional<SeccompProgram> seccomp_program;
  if (linux.seccomp) seccomp_program = TRY(prepare_seccomp_program(*linux.seccomp, seccomp_cache_dir()));

  int console_fd = -1;
  Fd console;
  if (opts.console_socket_fd >= 0 && spec.process->terminal) {
    console_fd = opts.console_socket_fd;
  } else if (!opts.console_socket.empty()) {
    if (!spec.process->terminal)
      return make_error("--console-socket given but process.terminal is false");
    console.reset(TRY(connect_console_socket(opts.console_socket)));
    console_fd = console.get();
  } else if (spec.process->terminal) {
    return make_error("process.terminal is true: use --console-socket to receive the terminal");
  }

  auto cg = TRY(rt.systemd_cgroup ? cgroups::make_systemd_manager(linux.cgroups_path, opts.id)
                                  : cgroups::make_manager(linux.cgroups_path, opts.id));

  StateDir dir = TRY(StateDir::create(rt.root, opts.id));
  bool cgroup_made = false;
  pid_t pid = -1;
  std::optional<RdtGroup> rdt;
  ScopeExit undo([&] {
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
    if (rdt) (void)remove_intel_rdt(*rdt);
    if (cgroup_made) (void)cg->destroy();
    (void)dir.remove();
  });

  std::string fifo = dir.file("exec.fifo");
  if (::mkfifo(fifo.c_str(), 0622) < 0) return sys_error(errno, "mkfifo {}", fifo);
  // The init holds the FIFO open read-write (which never blocks) and waits
  // reading it; start writes the byte. Opened here, as root, so the init
  // needs neither the state dir's path nor its permissions once it is
  // another user inside the container.
  Fd fifo_fd(::open(fifo.c_str(), O_RDWR | O_CLOEXEC));
  if (!fifo_fd) return sys_error(errno, "open {}", fifo);

  if (auto made = cg->create(); !made) {
    // As runc: a rootless container without a delegated cgroup runs without one.
    if (!rt.rootless || !cgroup_error_is_permission(made.error())) return std::unexpected(made.error());
    log::debug(fmt::format("rootless: no cgroup: {}", made.error().message));
    cg.reset();
  }
  cgroup_made = cg != nullptr;
  if (cg && linux.resources) TRY(cg->apply(*linux.resources));
  // Always, as runc: deny all, the config's rules, then the defaults. Not
  // rootless: without privilege there is no device cgroup to write (and
  // the container cannot make nodes the host would not let its user open).
  if (cg && !rt.rootless) {
    static const std::vector<DeviceCgroupRule> no_rules;
    const auto &rules = linux.resources ? linux.resources->devices : no_rules;
    TRY(cg->set_devices(cgroups::container_device_rules(rules, linux.devices)));
  }
  int cgroup_fd = cg ? TRY(cg->open_v2_dir()) : -1;
  Fd cgroup_dir(cgroup_fd);

  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) return sys_error(errno, "socketpair");
  Fd parent_sock(sv[0]), child_sock(sv[1]);

  InitContext ctx;
  ctx.spec = &spec;
  ctx.ns = &ns;
  ctx.rootfs = RootfsOptions{rootfs, bundle, opts.no_pivot, ns.new_user};
  // Held until the init has been cloned: it inherits the fds (CLOEXEC, so
  // its exec closes them) and attaches each tree.
  IdmappedTrees idmapped_trees;
  if (ns.new_user) idmapped_trees = TRY(open_idmapped_trees(spec, bundle));
  for (const auto &[index, tree] : idmapped_trees) ctx.rootfs.idmapped_tree_fds[index] = tree.get();
  ctx.id = opts.id;
  ctx.sync_fd = child_sock.get();
  ctx.fifo_fd = fifo_fd.get();
  ctx.console_fd = console_fd;
  ctx.preserve_fds = opts.preserve_fds;
  ctx.lock_fd = dir.lock_fd();
  ctx.new_keyring = !opts.no_new_keyring;
  ctx.caps = caps.caps;
  ctx.seccomp_program = seccomp_program ? &*seccomp_program : nullptr;

  // The init is a copy of this process until it execs: nothing in the
  // container may open /proc/<init>/exe or its memory (CVE-2019-5736).
  // Rootless, the unprivileged parent must still write the init's id maps,
  // which a non-dumpable process's /proc files forbid; there the init turns
  // non-dumpable itself once the maps are written (as runc's nsexec does),
  // before anything else can run in its namespaces.
  if (!rt.rootless && ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) return sys_error(errno, "prctl(PR_SET_DUMPABLE)");
  if (ns.new_time) TRY(prepare_time_namespace(linux.time_offsets));

  // setns(CLONE_NEWPID) moves only the caller's later children, so a pid
  // namespace to join (a pod's) is entered here, just for the clone of the
  // init; the init's own setns of it is then a no-op. The runtime goes back
  // to its own right after, so hooks and helpers stay on the host's.
  Fd own_pid_ns;
  for (const auto &j : ns.joins) {
    if (j.type != NamespaceType::Pid) continue;
    own_pid_ns = Fd(::open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC));
    if (!own_pid_ns) return sys_error(errno, "open /proc/self/ns/pid");
    if (::setns(j.fd.get(), CLONE_NEWPID) < 0) return sys_error(errno, "join pid namespace {}", j.path);
  }
  pid = clone_init(ns.clone_flags, cgroup_dir.get());
  if (pid < 0 && cgroup_dir.valid() && (errno == EINVAL || errno == EBUSY || errno == EOPNOTSUPP))
    pid = clone_init(ns.clone_flags, -1);
  int clone_errno = errno;
  if (pid == 0) {
    parent_sock.reset();
    run_init(ctx);
  }
  if (own_pid_ns && ::setns(own_pid_ns.get(), CLONE_NEWPID) < 0) {
    int err = errno;
    if (pid > 0) ::kill(pid, SIGKILL);
    return sys_error(err, "return to the runtime's pid namespace");
  }
  if (pid < 0) return sys_error(clone_errno, "clone container init");
  child_sock.reset();
  // Only the init may hold the FIFO: start finds "no reader" once it dies.
  fifo_fd.reset();

  if (ns.new_user) TRY(write_id_maps_as_caller(pid, linux.uid_mappings, linux.gid_mappings));
  TRY(move_net_devices(linux, ns, pid));
  // Also after CLONE_INTO_CGROUP: on a hybrid host that only covered the
  // unified hierarchy, and the v1 ones still need the pid.
  if (cg) TRY(cg->add_process(pid));
  // Before the init is released: nothing of the container runs outside its CLOS.
  if (linux.intel_rdt) rdt = TRY(join_intel_rdt(*linux.intel_rdt, opts.id, pid));
  ContainerState state;
  state.id = opts.id;
  state.oci_version = spec.oci_version.empty() ? kOciVersion : spec.oci_version;
  state.pid = pid;
  state.bundle = bundle;
  state.rootfs = rootfs;
  state.created = now_rfc3339();
  state.owner = "";
  state.annotations = spec.annotations;
  state.own_pid_ns = ns.new_pid;
  if (cg) state.cgroup = cg->to_json();
  // start and delete run poststart and poststop from here, not from the bundle.
  if (spec.hooks) state.extra["hooks"] = hooks_to_json(*spec.hooks);
  if (rdt) state.extra["intelRdt"] = rdt->to_json();
  auto creating_json = [&] { return state_json_text(StateView{state, Status::Creating}); };

  TRY(sync_send(parent_sock.get(), SyncType::Go));
  for (;;) {
    auto msg = sync_recv(parent_sock.get());
    if (!msg) return make_error("container init exited before it was ready");
    if (msg->type == SyncType::Error) return std::unexpected(Error{msg->err, msg->text});
    if (msg->type == SyncType::Ready) break;
    if (msg->type == SyncType::HooksPause && spec.hooks) {
      TRY(parent_run_runtime_hooks(parent_sock.get(), *spec.hooks, creating_json()));
    } else if (msg->type == SyncType::SeccompListener && linux.seccomp) {
      Fd listener(TRY(recv_fd(parent_sock.get())));
      TRY(send_seccomp_listener(linux.seccomp->listener_path, listener.get(),
                                seccomp_process_state(state.oci_version, pid, linux.seccomp->listener_metadata,
                                                      creating_json())));
    } else {
      return make_error("sync: unexpected message {}", static_cast<int>(msg->type));
    }
  }

  auto ps = read_proc_stat(pid);
  if (!ps) return make_error("container init {} vanished after it was ready", pid);
  state.pid_start_time = ps->start_time;
  TRY(dir.save(state));
  if (!opts.pid_file.empty()) TRY(write_pid_file(opts.pid_file, pid));
  undo.dismiss();
  return pid;
}

Result<void> start_container(const RuntimeOptions &rt, const std::string &id) {
  StateDir dir = TRY(StateDir::open(rt.root, id));
  ContainerState s = TRY(dir.load());
  Status st = container_status(s, dir);
  if (st == Status::Stopped) return make_error("cannot start a container that has stopped");
  if (st != Status::Created) return make_error("cannot start a container in the {} state", status_name(st));
  std::string fifo = dir.file("exec.fifo");
  // The init is the FIFO's only reader: without it the open fails with ENXIO
  // instead of blocking.
  Fd fd(::open(fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC));
  if (!fd) {
    if (errno == ENXIO) return make_error("container init exited before start");
    return sys_error(errno, "open {}", fifo);
  }
  if (::write(fd.get(), "0", 1) != 1) return sys_error(errno, "write {}", fifo);
  ::unlink(fifo.c_str());
  if (auto h = s.extra.find("hooks"); h != s.extra.end()) {
    // runtime.md: a failing poststart hook is logged and the container keeps running.
    if (auto r = run_hooks(hooks_from_json(*h), HookKind::Poststart,
                           state_json_text(StateView{s, Status::Running}));
        !r)
      log::warning(r.error().message);
  }
  return {};
}

Result<StateView> container_state(const RuntimeOptions &rt, const std::string &id) {
  StateDir dir = TRY(StateDir::open(rt.root, id));
  ContainerState s = TRY(dir.load());
  return StateView{s, container_status(s, dir)};
}

std::string state_json_text(const StateView &v) {
  nlohmann::ordered_json j;
  j["ociVersion"] = v.state.oci_version;
  j["id"] = v.state.id;
  j["pid"] = v.status == Status::Stopped ? 0 : v.state.pid;
  j["status"] = status_name(v.status);
  j["bundle"] = v.state.bundle;
  j["rootfs"] = v.state.rootfs;
  j["created"] = v.state.created;
  j["owner"] = v.state.owner;
  if (!v.state.annotations.empty()) j["annotations"] = v.state.annotations;
  return j.dump(2);
}

Result<void> kill_container(const RuntimeOptions &rt, const std::string &id, int signal, bool all) {
  StateDir dir = TRY(StateDir::open(rt.root, id));
  ContainerState s = TRY(dir.load());
  Status st = container_status(s, dir);
  if (st == Status::Stopped && !all) return make_error("container not running");
  if (all && s.cgroup.is_null()) return make_error("kill --all: the container has no cgroup (rootless)");
  if (all) {
    auto cg = TRY(cgroups::manager_from_json(s.cgroup));
    return cg->kill_all(signal);
  }
  if (::kill(s.pid, signal) < 0) return sys_error(errno, "kill {} with signal {}", s.pid, signal);
  return {};
}

Result<void> delete_container(const RuntimeOptions &rt, const std::string &id, bool force) {
  auto opened = StateDir::open(rt.root, id);
  // As runc: --force on a container that does not exist is not an error.
  if (!opened && force && ::access((rt.root + "/" + id).c_str(), F_OK) < 0 && errno == ENOENT) return {};
  StateDir dir = TRY(std::move(opened));
  auto loaded = dir.load();
  if (!loaded) {
    // A create that died before writing state: only --force may clear it.
    if (!force) return std::unexpected(loaded.error());
    return dir.remove();
  }
  ContainerState s = *loaded;
  Status st = container_status(s, dir);
  if (st != Status::Stopped) {
    if (!force) return make_error("cannot delete container {} that is not stopped: {}", id, status_name(st));
    if (::kill(s.pid, SIGKILL) < 0 && errno != ESRCH) return sys_error(errno, "kill {}", s.pid);
    // A frozen task acts on SIGKILL only once thawed.
    if (st == Status::Paused) TRY(TRY(cgroups::manager_from_json(s.cgroup))->thaw());
    if (!wait_gone(s.pid, s.pid_start_time, 10000))
      return make_error("container init {} did not die after SIGKILL", s.pid);
  }
  auto remove_rdt = [&]() -> Result<void> {
    if (auto r = s.extra.find("intelRdt"); r != s.extra.end()) TRY(remove_intel_rdt(RdtGroup::from_json(*r)));
    return {};
  };
  if (s.cgroup.is_null()) {
    TRY(remove_rdt());
    return dir.remove();
  }
  auto cg = TRY(cgroups::manager_from_json(s.cgroup));
  // Without its own pid namespace, the init's death does not take the other
  // processes with it.
  if (!s.own_pid_ns || force) (void)cg->kill_all(SIGKILL);
  TRY(cg->destroy());
  // After the cgroup sweep, so no task of the container is left to fall back into the root CLOS.
  TRY(remove_rdt());
  if (auto h = s.extra.find("hooks"); h != s.extra.end()) {
    // runtime.md: poststop failures are logged, the delete still happens.
    if (auto r = run_hooks(hooks_from_json(*h), HookKind::Poststop,
                           state_json_text(StateView{s, Status::Stopped}));
        !r)
      log::warning(r.error().message);
  }
  return dir.remove();
}

Result<std::vector<StateView>> list_containers(const RuntimeOptions &rt) {
  std::vector<StateView> out;
  DIR *d = ::opendir(rt.root.c_str());
  if (!d) {
    if (errno == ENOENT) return out;
    return sys_error(errno, "open {}", rt.root);
  }
  std::vector<std::string> ids;
  while (struct dirent *e = ::readdir(d)) {
    if (e->d_name[0] == '.' || e->d_type != DT_DIR) continue;
    ids.push_back(e->d_name);
  }
  ::closedir(d);
  std::sort(ids.begin(), ids.end());
  for (const auto &id : ids) {
    auto v = container_state(rt, id);
    if (!v) continue;  // being created or deleted right now
    v->state.owner = owner_name(rt.root + "/" + id);
    out.push_back(std::move(*v));
  }
  return out;
}

}  // namespace berth
