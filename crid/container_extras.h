// The bodies of the RuntimeService calls that act on containers already
// looked up in the store: ExecSync, ContainerStats, ListContainerStats,
// PodSandboxStats, ListPodSandboxStats, UpdateContainerResources,
// ReopenContainerLog. The handlers find the records (NOT_FOUND for unknown
// ids), fill these views, and call one function each.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "crid/rpc/status.h"

#include "crid/container_stats.h"
#include "crid/cri_api.h"
#include "crid/runtime_target.h"

namespace berth::crid {

// What these calls need to know of a container.
struct ContainerView {
  runtime::v1::ContainerAttributes attributes;  // id, metadata, labels, annotations
  std::string pod_sandbox_id;
  runtime::v1::ContainerState state = runtime::v1::CONTAINER_UNKNOWN;
  RuntimeTarget runtime;          // runtime binary, --root, container id
  std::string cgroups_path;       // its config.json's linux.cgroupsPath
  std::string upper_dir;          // overlay upper dir (writable layer)
  std::string fs_mountpoint;      // the filesystem that holds the upper dirs
  std::string monitor_socket_dir; // <state>/containers/<id>/monitor
  std::string scratch_dir;        // where ExecSync's pid files go (crid's state dir)
};

struct PodView {
  runtime::v1::PodSandboxAttributes attributes;
  bool ready = false;
  bool host_network = false;
  std::string pod_cgroups_path;    // PodSandboxConfig.linux.cgroup_parent, "" when crid chose it
  std::string infra_cgroups_path;  // the infra container's linux.cgroupsPath
  int infra_pid = 0;
  std::vector<ContainerView> containers;
};

rpc::Status exec_sync_call(const ContainerView &container, const runtime::v1::ExecSyncRequest &request,
                            runtime::v1::ExecSyncResponse *response);

rpc::Status container_stats_call(const ContainerView &container, CpuSampleCache &cache,
                                  runtime::v1::ContainerStatsResponse *response);

// containers: every container in the store; the filter picks among them, and
// only running ones are reported, as containerd does.
rpc::Status list_container_stats_call(const std::vector<ContainerView> &containers,
                                       const runtime::v1::ContainerStatsFilter &filter, CpuSampleCache &cache,
                                       runtime::v1::ListContainerStatsResponse *response);

rpc::Status pod_sandbox_stats_call(const PodView &pod, CpuSampleCache &cache,
                                    runtime::v1::PodSandboxStatsResponse *response);

// pods: every pod in the store; only ready ones are reported.
rpc::Status list_pod_sandbox_stats_call(const std::vector<PodView> &pods,
                                         const runtime::v1::PodSandboxStatsFilter &filter, CpuSampleCache &cache,
                                         runtime::v1::ListPodSandboxStatsResponse *response);

rpc::Status update_container_resources_call(const ContainerView &container,
                                             const runtime::v1::UpdateContainerResourcesRequest &request);

rpc::Status reopen_container_log_call(const ContainerView &container);

// CRI's id filters match a full id or a prefix of one, as crictl passes them.
bool id_matches(const std::string &filter_id, const std::string &id);
bool labels_match(const google::protobuf::Map<std::string, std::string> &selector,
                  const google::protobuf::Map<std::string, std::string> &labels);

}  // namespace berth::crid
