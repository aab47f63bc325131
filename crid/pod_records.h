// What crid remembers about each pod sandbox and container: the CRI config it
// was made from, its state and the facts the status calls report. Kept in the
// metadata store (crid/metadata_store.h) as JSON plus the config's protobuf bytes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "crid/cri_api.h"
#include "crid/metadata_store.h"
#include "libcontainer/result.h"

namespace berth::crid {

// Creating: recorded before anything is made on the host, so that a crash in
// the middle of a create leaves a record recovery can find and clean up.
enum class SandboxState { Creating, Ready, NotReady };
enum class ContainerState { Creating, Created, Running, Exited };

struct SandboxRecord {
  std::string id;
  std::string name_key;  // <name>_<namespace>_<uid>_<attempt>
  SandboxState state = SandboxState::Creating;
  runtime::v1::PodSandboxConfig config;
  std::string runtime_handler;
  std::string runtime_path;   // the handler's runtime binary when it was created
  std::string cgroup_parent;
  std::string netns_path;     // pinned netns, empty while crid has none (joined through the infra pid)
  std::vector<std::string> ips;  // from CNI ADD, primary first; cleared when the network is torn down
  std::string shm_path;       // the pod's /dev/shm (a tmpfs crid mounted, or the host's)
  bool shm_mounted = false;   // crid mounted shm_path and unmounts it
  int pid = 0;                // the infra process
  int64_t created_at_ns = 0;
};

struct ContainerRecord {
  std::string id;
  std::string sandbox_id;
  std::string name_key;  // <name>_<sandbox name>_<namespace>_<uid>_<attempt>
  ContainerState state = ContainerState::Creating;
  runtime::v1::ContainerConfig config;
  std::string image_id;      // sha256:<hex>
  std::string image_ref;     // repo digest (or id) for ContainerStatus.image_ref
  std::string image_name;    // the image as the request named it
  std::string stop_signal;   // from the image config; empty: SIGTERM
  std::string log_path;      // absolute, or empty
  int pid = 0;
  int64_t created_at_ns = 0;
  int64_t started_at_ns = 0;
  int64_t finished_at_ns = 0;
  int exit_code = 0;
  std::string reason;   // "Completed", "Error", "OOMKilled", ...
  std::string message;
};

const char *to_string(SandboxState state);
const char *to_string(ContainerState state);

MetadataStore::Row to_row(const SandboxRecord &record);
MetadataStore::Row to_row(const ContainerRecord &record);
Result<SandboxRecord> sandbox_from_row(const MetadataStore::Row &row);
Result<ContainerRecord> container_from_row(const MetadataStore::Row &row);

runtime::v1::PodSandboxState to_cri(SandboxState state);
runtime::v1::ContainerState to_cri(ContainerState state);

}  // namespace berth::crid
