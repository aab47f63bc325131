// Mounts and devices of a container's config.json: the runtime's default
// filesystems, the pod's files, CRI mounts and devices. Internal to crid's
// spec builders; errors name the CRI field ("config.mounts[1].host_path").
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "crid/container_spec.h"

namespace berth::crid::spec {

// /proc /dev /dev/pts /dev/shm /dev/mqueue /sys /sys/fs/cgroup, as containerd
// sets them up (no /run). /sys and the cgroup mount are read-only unless privileged.
nlohmann::json default_mounts(bool privileged, bool with_cgroup = true);

// A bind mount entry ("type": "bind", options as given).
nlohmann::json bind_mount(const std::string &source, const std::string &destination,
                          std::vector<std::string> options);

// "/a//b/" -> "/a/b"; "" stays "".
std::string clean_path(const std::string &path);

// What a container's mounts become, and the rootfs propagation they need.
struct MountPlan {
  nlohmann::json mounts = nlohmann::json::array();
  std::string rootfs_propagation;  // "rshared", "rslave" or ""
};

// Defaults, then the sandbox's /etc/hostname, /etc/hosts, /etc/resolv.conf and
// /dev/shm (each unless empty or a CRI mount takes its place), then CRI
// mounts; a CRI mount on a default's destination replaces it (one on /dev
// replaces everything under /dev too), and the whole list is ordered by
// depth so parents mount before their children.
Result<MountPlan> container_mounts(const runtime::v1::ContainerConfig &config, const SandboxContext &sandbox,
                                   bool privileged, bool readonly_rootfs);

// linux.devices and the device cgroup allow rules for CRI devices. A host
// path that is a directory brings every device node below it.
struct DevicePlan {
  nlohmann::json devices = nlohmann::json::array();
  nlohmann::json rules = nlohmann::json::array();
};
Result<DevicePlan> container_devices(const runtime::v1::ContainerConfig &config);

// Every device node of the host's /dev, for privileged containers.
DevicePlan host_devices();

// deny-all, then the defaults every container needs (null, zero, tty, ...).
nlohmann::json base_device_rules();

}  // namespace berth::crid::spec
