#include "libcontainer/idmap_trees.h"

#include <sys/mount.h>

#include "libcontainer/idmap_mount.h"
#include "libcontainer/mount_options.h"

namespace berth {

Result<IdmappedTrees> open_idmapped_trees(const Spec &spec, const std::string &bundle) {
  IdmappedTrees trees;
  for (size_t i = 0; i < spec.mounts.size(); ++i) {
    const Mount &m = spec.mounts[i];
    auto o = TRY_CTX(parse_mount_options(m.options), fmt::format("mounts[{}] (\"{}\")", i, m.destination));
    if (!o.idmap && m.uid_mappings.empty()) continue;
    // Same reading of "bind" as mount_spec_entry: a bare type "bind" is recursive.
    const bool bind = m.type == "bind" || (o.flags & MS_BIND);
    if (!bind || m.source.empty()) continue;
    const bool recursive = (o.flags & MS_BIND) ? (o.flags & MS_REC) != 0 : true;
    std::string source = m.source[0] == '/' ? m.source : bundle + "/" + m.source;
    trees[i] = TRY(open_idmapped_tree(source, m.uid_mappings, m.gid_mappings, recursive, o.idmap_recursive,
                                      fmt::format("mounts[{}] ({} on {})", i, source, m.destination)));
  }
  return trees;
}

}  // namespace berth
