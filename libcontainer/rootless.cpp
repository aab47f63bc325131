#include "libcontainer/rootless.h"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

#include "libcontainer/file_util.h"
#include "libcontainer/namespaces.h"

extern char **environ;

namespace berth {

bool rootless_mode(std::string_view flag) {
  if (flag == "true") return true;
  if (flag == "false") return false;
  return ::geteuid() != 0;
}

std::string rootless_state_root() {
  const char *xdg = std::getenv("XDG_RUNTIME_DIR");
  if (xdg && *xdg) return std::string(xdg) + "/berth";
  return fmt::format("/tmp/berth-{}", ::geteuid());
}

namespace {

bool only_self(const std::vector<IdMapping> &m, uint32_t id) {
  return m.size() == 1 && m[0].size == 1 && m[0].host_id == id;
}

Result<void> run_map_helper(const char *helper, pid_t pid, const std::vector<IdMapping> &maps) {
  std::vector<std::string> args = {helper, std::to_string(pid)};
  for (const auto &m : maps) {
    args.push_back(std::to_string(m.container_id));
    args.push_back(std::to_string(m.host_id));
    args.push_back(std::to_string(m.size));
  }
  std::vector<char *> argv;
  for (auto &a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t child;
  int err = ::posix_spawnp(&child, helper, nullptr, nullptr, argv.data(), environ);
  if (err == ENOENT)
    return make_error("{} not found: mapping more than your own id needs it (Debian package uidmap) and "
                      "/etc/subuid and /etc/subgid entries for you", helper);
  if (err) return sys_error(err, "run {}", helper);
  int status;
  while (::waitpid(child, &status, 0) < 0)
    if (errno != EINTR) return sys_error(errno, "wait for {}", helper);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return make_error("{} {} failed (are the ranges in /etc/subuid and /etc/subgid?)", helper, pid);
  return {};
}

}  // namespace

Result<void> write_id_maps_as_caller(pid_t pid, const std::vector<IdMapping> &uids,
                                     const std::vector<IdMapping> &gids) {
  if (::geteuid() == 0) return write_id_maps(pid, uids, gids, false);
  bool self_uid = only_self(uids, ::geteuid()), self_gid = only_self(gids, ::getegid());
  if (self_uid && self_gid) return write_id_maps(pid, uids, gids, true);
  if (self_uid) TRY(write_id_maps(pid, uids, {}, false));
  else TRY(run_map_helper("newuidmap", pid, uids));
  // newgidmap leaves setgroups allowed, which an unprivileged gid_map write may not.
  if (self_gid) TRY(write_id_maps(pid, {}, gids, true));
  else TRY(run_map_helper("newgidmap", pid, gids));
  return {};
}

bool cgroup_error_is_permission(const Error &e) {
  return e.code == EACCES || e.code == EPERM || e.code == EROFS;
}

}  // namespace berth
