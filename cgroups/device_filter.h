// Device rules on cgroup v2: there is no devices.allow there; the kernel asks
// an eBPF program of type BPF_PROG_TYPE_CGROUP_DEVICE attached to the cgroup.
// This builds that program from the rules (raw bpf(2), no libbpf) and attaches it.
#pragma once

#include <linux/bpf.h>

#include <string>
#include <vector>

#include "libcontainer/result.h"
#include "libcontainer/spec.h"

namespace berth::cgroups {

// A program answering 1 (allow) or 0 (deny) for a device access: the last
// rule that matches decides, as with the v1 lists; no match denies.
std::vector<bpf_insn> compile_device_filter(const std::vector<DeviceCgroupRule> &rules);

// Loads the program for rules and attaches it to the cgroup directory dir
// (BPF_F_ALLOW_MULTI, so programs a parent attached still apply). Programs
// this cgroup held before are detached afterwards, so there is no moment
// without a filter.
Result<void> attach_device_filter(const std::string &dir, const std::vector<DeviceCgroupRule> &rules);

}  // namespace berth::cgroups
