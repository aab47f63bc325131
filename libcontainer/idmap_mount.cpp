#include "libcontainer/idmap_mount.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <charconv>
#include <utility>

#include "libcontainer/namespaces.h"

namespace berth {

namespace {

// Reaps the helper child whatever happens to the parent's steps.
struct ChildGuard {
  pid_t pid = -1;
  ~ChildGuard() {
    if (pid <= 0) return;
    ::kill(pid, SIGKILL);
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
};

}  // namespace

Result<Fd> userns_for_mapping(const std::vector<IdMapping> &uids, const std::vector<IdMapping> &gids) {
  int to_parent[2], to_child[2];
  if (::pipe2(to_parent, O_CLOEXEC) != 0) return sys_error(errno, "pipe for the id-mapping helper");
  Fd parent_r(to_parent[0]), child_w(to_parent[1]);
  if (::pipe2(to_child, O_CLOEXEC) != 0) return sys_error(errno, "pipe for the id-mapping helper");
  Fd child_r(to_child[0]), parent_w(to_child[1]);

  ChildGuard child;
  child.pid = ::fork();
  if (child.pid < 0) return sys_error(errno, "fork the id-mapping helper");
  if (child.pid == 0) {
    // The caller may sit in a pid namespace of its own while /proc is still a
    // procfs of an outer one: the pid the parent needs is the one /proc/self
    // names, read before the child leaves for its new user namespace.
    char buf[32] = {};
    ssize_t n = ::readlink("/proc/self", buf, sizeof buf - 1);
    if (n <= 0 || ::unshare(CLONE_NEWUSER) != 0) ::_exit(1);
    if (::write(child_w.get(), buf, static_cast<size_t>(n)) != n) ::_exit(1);
    char c;
    (void)::read(child_r.get(), &c, 1);  // returns once the parent closes its end
    ::_exit(0);
  }
  child_w.reset();
  child_r.reset();
  char buf[32] = {};
  ssize_t n;
  while ((n = ::read(parent_r.get(), buf, sizeof buf - 1)) < 0 && errno == EINTR) {
  }
  pid_t proc_pid = 0;
  if (n <= 0 || std::from_chars(buf, buf + n, proc_pid).ec != std::errc())
    return make_error("the id-mapping helper could not make a user namespace");
  TRY_CTX(write_id_maps(proc_pid, uids, gids, true), "id maps for an idmapped mount");
  Fd ns(::open(fmt::format("/proc/{}/ns/user", proc_pid).c_str(), O_RDONLY | O_CLOEXEC));
  if (!ns) return sys_error(errno, "open the user namespace of the id-mapping helper");
  return ns;
}

Result<Fd> open_idmapped_tree(const std::string &source, const std::vector<IdMapping> &uids,
                              const std::vector<IdMapping> &gids, bool clone_recursive, bool map_recursive,
                              std::string_view what) {
  if (uids.empty() || gids.empty())
    return make_error("{}: an idmapped mount needs uidMappings and gidMappings", what);
  // As runc 1.2: the mount's user namespace gets the mappings as written, so
  // a file's on-disk id N (a containerID) shows as the hostID it maps to;
  // inside a container's own user namespace that host id is then seen through
  // the container's mapping, like every other host id.
  Fd userns = TRY_CTX(userns_for_mapping(uids, gids), std::string(what));
  Fd tree(static_cast<int>(::open_tree(AT_FDCWD, source.c_str(),
                                       OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (clone_recursive ? AT_RECURSIVE : 0))));
  if (!tree) return sys_error(errno, "{}: clone the mount of {}", what, source);
  mount_attr attr{};
  attr.attr_set = MOUNT_ATTR_IDMAP;
  attr.userns_fd = static_cast<uint64_t>(userns.get());
  if (::mount_setattr(tree.get(), "", AT_EMPTY_PATH | (map_recursive ? AT_RECURSIVE : 0), &attr, sizeof attr) != 0) {
    int err = errno;
    if (err == EINVAL || err == EOPNOTSUPP)
      return sys_error(err, "{}: the filesystem of {} (or this kernel) does not support idmapped mounts", what,
                       source);
    return sys_error(err, "{}: make an idmapped mount of {}", what, source);
  }
  return tree;
}

Result<void> attach_idmapped_tree(int tree_fd, int dest_fd, std::string_view what) {
  if (::move_mount(tree_fd, "", dest_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0)
    return sys_error(errno, "{}: attach the idmapped mount", what);
  return {};
}

Result<void> mount_idmapped(const std::string &source, int dest_fd, const std::vector<IdMapping> &uids,
                            const std::vector<IdMapping> &gids, bool clone_recursive, bool map_recursive,
                            std::string_view what) {
  Fd tree = TRY(open_idmapped_tree(source, uids, gids, clone_recursive, map_recursive, what));
  return attach_idmapped_tree(tree.get(), dest_fd, what);
}

}  // namespace berth
