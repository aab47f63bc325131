// Namespace kinds as the kernel knows them: clone flags, /proc/<pid>/ns names,
// joining by path, and user namespace id maps.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "libcontainer/fd.h"
#include "libcontainer/result.h"
#include "libcontainer/spec.h"

namespace berth {

int namespace_clone_flag(NamespaceType t);
const char *namespace_proc_name(NamespaceType t);  // "net", "mnt", ...

struct NamespaceJoin {
  NamespaceType type;
  Fd fd;
  std::string path;
};

struct NamespacePlan {
  int clone_flags = 0;              // namespaces the init is cloned into
  int unshare_flags = 0;            // namespaces the init makes after joining a user ns
  std::vector<NamespaceJoin> joins;  // user first, then the others
  bool new_user = false;
  bool new_mount = false, new_uts = false, new_pid = false, new_time = false;
  bool any_mount = false;  // a mount namespace (new or joined): the rootfs is set up
};

// Opens every namespace path of the spec (so a bad path fails before anything
// is made) and decides which namespaces are created how.
Result<NamespacePlan> plan_namespaces(const Linux &linux);

// Writes /proc/<pid>/{uid_map,gid_map} (and setgroups "deny" when asked).
Result<void> write_id_maps(pid_t pid, const std::vector<IdMapping> &uids, const std::vector<IdMapping> &gids,
                           bool deny_setgroups);

// Enters a new time namespace for the caller's future children with the given
// offsets. Must run in the parent before clone: offsets can only be set while
// no process lives in the namespace.
Result<void> prepare_time_namespace(const std::map<std::string, TimeOffset> &offsets);

}  // namespace berth
