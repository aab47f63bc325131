#include "libcontainer/namespaces.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>

#include "libcontainer/file_util.h"

namespace berth {

int namespace_clone_flag(NamespaceType t) {
  switch (t) {
    case NamespaceType::Pid: return CLONE_NEWPID;
    case NamespaceType::Network: return CLONE_NEWNET;
    case NamespaceType::Mount: return CLONE_NEWNS;
    case NamespaceType::Ipc: return CLONE_NEWIPC;
    case NamespaceType::Uts: return CLONE_NEWUTS;
    case NamespaceType::User: return CLONE_NEWUSER;
    case NamespaceType::Cgroup: return CLONE_NEWCGROUP;
    case NamespaceType::Time: return CLONE_NEWTIME;
  }
  return 0;
}

const char *namespace_proc_name(NamespaceType t) {
  switch (t) {
    case NamespaceType::Pid: return "pid";
    case NamespaceType::Network: return "net";
    case NamespaceType::Mount: return "mnt";
    case NamespaceType::Ipc: return "ipc";
    case NamespaceType::Uts: return "uts";
    case NamespaceType::User: return "user";
    case NamespaceType::Cgroup: return "cgroup";
    case NamespaceType::Time: return "time";
  }
  return "?";
}

Result<NamespacePlan> plan_namespaces(const Linux &linux) {
  NamespacePlan plan;
  bool join_user = false;
  for (const auto &ns : linux.namespaces) {
    if (ns.type == NamespaceType::Mount) plan.any_mount = true;
    if (ns.path.empty()) {
      if (ns.type == NamespaceType::User) plan.new_user = true;
      if (ns.type == NamespaceType::Mount) plan.new_mount = true;
      if (ns.type == NamespaceType::Uts) plan.new_uts = true;
      if (ns.type == NamespaceType::Pid) plan.new_pid = true;
      if (ns.type == NamespaceType::Time) plan.new_time = true;
      continue;
    }
    Fd fd(::open(ns.path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return sys_error(errno, "open {} namespace {}", namespace_proc_name(ns.type), ns.path);
    if (ns.type == NamespaceType::User) join_user = true;
    plan.joins.push_back({ns.type, std::move(fd), ns.path});
  }
  // The user namespace is joined first: the others are then created owned by it.
  std::stable_partition(plan.joins.begin(), plan.joins.end(),
                        [](const NamespaceJoin &j) { return j.type == NamespaceType::User; });
  for (const auto &ns : linux.namespaces) {
    if (!ns.path.empty() || ns.type == NamespaceType::Time) continue;  // time: see prepare_time_namespace
    int flag = namespace_clone_flag(ns.type);
    // With a joined user namespace, the new namespaces must be made after
    // setns(user) so that it owns them; a pid namespace can still only be
    // made by clone, so it stays in clone_flags (owned by the caller's).
    // The cgroup namespace is rooted where the init is when it is made, so
    // the init makes it itself, after the parent has placed it in its cgroups.
    if ((join_user && ns.type != NamespaceType::Pid) || ns.type == NamespaceType::Cgroup)
      plan.unshare_flags |= flag;
    else
      plan.clone_flags |= flag;
  }
  return plan;
}

static std::string format_map(const std::vector<IdMapping> &maps) {
  std::string out;
  for (const auto &m : maps) out += fmt::format("{} {} {}\n", m.container_id, m.host_id, m.size);
  return out;
}

Result<void> write_id_maps(pid_t pid, const std::vector<IdMapping> &uids, const std::vector<IdMapping> &gids,
                           bool deny_setgroups) {
  std::string base = fmt::format("/proc/{}/", pid);
  if (deny_setgroups) TRY(write_file(base + "setgroups", "deny"));
  if (!uids.empty()) TRY_CTX(write_file(base + "uid_map", format_map(uids)), "write uid mappings");
  if (!gids.empty()) TRY_CTX(write_file(base + "gid_map", format_map(gids)), "write gid mappings");
  return {};
}

Result<void> prepare_time_namespace(const std::map<std::string, TimeOffset> &offsets) {
  if (::unshare(CLONE_NEWTIME) < 0) return sys_error(errno, "unshare time namespace");
  std::string text;
  for (const auto &[clock, off] : offsets) text += fmt::format("{} {} {}\n", clock, off.secs, off.nanosecs);
  if (!text.empty()) TRY_CTX(write_file("/proc/self/timens_offsets", text), "set time namespace offsets");
  return {};
}

}  // namespace berth
