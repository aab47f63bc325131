// CRI LinuxContainerResources -> OCI linux.resources, field for field as
// containerd's WithResources does: zero means "not set" in CRI, so zeros are
// left out rather than written as limits.
#include <unistd.h>

#include "crid/container_spec.h"

namespace berth::crid {

namespace {

// Writing memory.swap on a host without swap accounting makes the runtime
// fail the whole create; containerd checks the same files before setting it.
bool swap_accounting_available() {
  static const bool available =
      ::access("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes", F_OK) == 0 ||
      ::access("/sys/fs/cgroup/memory.swap.max", F_OK) == 0;
  return available;
}

}  // namespace

nlohmann::json linux_resources_json(const runtime::v1::LinuxContainerResources &r) {
  nlohmann::json out = nlohmann::json::object();
  nlohmann::json cpu = nlohmann::json::object();
  if (r.cpu_period() > 0) cpu["period"] = static_cast<uint64_t>(r.cpu_period());
  if (r.cpu_quota() != 0) cpu["quota"] = r.cpu_quota();
  if (r.cpu_shares() > 0) cpu["shares"] = static_cast<uint64_t>(r.cpu_shares());
  if (!r.cpuset_cpus().empty()) cpu["cpus"] = r.cpuset_cpus();
  if (!r.cpuset_mems().empty()) cpu["mems"] = r.cpuset_mems();
  if (!cpu.empty()) out["cpu"] = std::move(cpu);

  nlohmann::json memory = nlohmann::json::object();
  if (r.memory_limit_in_bytes() != 0) {
    memory["limit"] = r.memory_limit_in_bytes();
    // Equal swap and memory limits: no swapping unless the pod asks for it,
    // which is what the kubelet expects of containerd and CRI-O.
    if (r.memory_swap_limit_in_bytes() == 0 && swap_accounting_available())
      memory["swap"] = r.memory_limit_in_bytes();
  }
  if (r.memory_swap_limit_in_bytes() != 0 && swap_accounting_available())
    memory["swap"] = r.memory_swap_limit_in_bytes();
  if (!memory.empty()) out["memory"] = std::move(memory);

  if (r.hugepage_limits_size() > 0) {
    nlohmann::json limits = nlohmann::json::array();
    for (const auto &h : r.hugepage_limits())
      limits.push_back({{"pageSize", h.page_size()}, {"limit", h.limit()}});
    out["hugepageLimits"] = std::move(limits);
  }
  if (!r.unified().empty()) {
    nlohmann::json unified = nlohmann::json::object();
    for (const auto &[k, v] : r.unified()) unified[k] = v;
    out["unified"] = std::move(unified);
  }
  return out;
}

}  // namespace berth::crid
