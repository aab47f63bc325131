// The files crid makes for a pod and bind-mounts into its containers:
// /etc/hostname, /etc/resolv.conf, /etc/hosts and the /dev/shm tmpfs.
#pragma once

#include <cstdint>
#include <string>

#include "crid/cri_api.h"
#include "libcontainer/result.h"

namespace berth::crid {

// resolv.conf text from the pod's DNSConfig: nameserver, search and options lines.
std::string resolv_conf_text(const runtime::v1::DNSConfig &dns);
// /etc/hosts: the localhost lines and the pod's hostname on 127.0.1.1... as
// kubelet-less runtimes write it (the kubelet mounts its own for most pods).
std::string hosts_text(const std::string &hostname);

// Writes text to path atomically (temp file, rename), mode 0644.
Result<void> write_file_atomic(const std::string &path, const std::string &text);
// The pod's resolv.conf: from dns_config when it names anything, else a copy of host_resolv.
Result<void> write_resolv_conf(const std::string &path, const runtime::v1::DNSConfig &dns,
                               const std::string &host_resolv = "/etc/resolv.conf");

// Mounts a tmpfs for /dev/shm (nosuid, nodev, noexec, mode 1777, size bytes) at dir.
Result<void> mount_shm(const std::string &dir, uint64_t size);
// Unmounts path (lazily: a container may still hold it open); nothing mounted is not an error.
Result<void> unmount_if_mounted(const std::string &path);

// rm -rf path without following symlinks or crossing into mounts; nothing there is not an error.
Result<void> remove_tree(const std::string &path);
// mkdir -p with mode for the missing components.
Result<void> make_dirs(const std::string &path, unsigned mode);

// 64 lowercase hex digits from the kernel's random source.
Result<std::string> random_id();
int64_t wall_clock_ns();

}  // namespace berth::crid
