// Where a container's cgroup lives: parsing /proc/self/cgroup and
// /proc/self/mountinfo, and joining linux.cgroupsPath onto each hierarchy.
// The parsers take text so the unit tests can feed them other hosts' layouts.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cgroups/manager.h"
#include "libcontainer/result.h"

namespace berth::cgroups {

// One line of /proc/<pid>/cgroup: "4:cpu,cpuacct:/a/b"; v2 is "0::/a/b".
struct CgroupEntry {
  int hierarchy_id = 0;
  std::vector<std::string> controllers;  // empty for the v2 line; "name=systemd" for named ones
  std::string path;
};
Result<std::vector<CgroupEntry>> parse_proc_cgroup(std::string_view text);

// A cgroup or cgroup2 mount from /proc/<pid>/mountinfo.
struct CgroupMount {
  std::string mount_point;               // "/sys/fs/cgroup/cpu,cpuacct"
  std::string root;                      // the hierarchy's dir shown there, usually "/"
  bool unified = false;                  // cgroup2
  std::vector<std::string> controllers;  // v1 only, sorted: "cpu", "cpuacct", "name=systemd"
};
Result<std::vector<CgroupMount>> parse_cgroup_mounts(std::string_view mountinfo);

// A hierarchy the container's cgroup gets a directory in.
struct Hierarchy {
  std::string key;          // "cpu,cpuacct", "name=systemd"; "" for the unified (v2) one
  std::string mount_point;
  std::string own_cgroup;   // the calling process's cgroup there, relative to the mount;
                            // empty when it is outside what the mount shows
};

// The hierarchies of the given mode: every mounted v1 hierarchy (Legacy,
// Hybrid), and the cgroup2 one (Hybrid: the one at <root>/unified; Unified:
// the one at <root>). Mounts under root are preferred when a hierarchy is
// mounted twice.
Result<std::vector<Hierarchy>> find_hierarchies(Mode mode, std::string_view proc_cgroup,
                                                std::string_view mountinfo,
                                                const std::string &root = "/sys/fs/cgroup");

// Normalises a cgroup path lexically ("a//b/./c" -> "a/b/c", "/a/../b" -> "/b"),
// keeping it absolute or relative. A ".." that would climb above where the path
// starts is an error: a container must not name a cgroup outside its base.
Result<std::string> clean_cgroup_path(std::string_view path);

// The container's directory in one hierarchy: absolute cgroups_path = mount +
// path; relative = mount + own cgroup + path; empty = mount + "/<id>".
Result<std::string> container_dir(const Hierarchy &h, std::string_view cgroups_path, std::string_view id);

// A directory read back from a container's state: a string holding a clean
// absolute path other than "/" (what container_dir produced).
Result<std::string> stored_dir(const nlohmann::json &value, std::string_view what);

}  // namespace berth::cgroups
