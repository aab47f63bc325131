// The pod sandbox and container lifecycle behind crid's RuntimeService:
// the gRPC handlers translate requests and call these; the work (dirs, mounts,
// monitors, runtime commands, records) happens here.
//
// Errors carry the errno crid/grpc_status.h maps to the gRPC code the kubelet
// expects: ENOENT NotFound (unknown id, missing image), EINVAL InvalidArgument
// (missing metadata, bad field), EEXIST AlreadyExists (name taken), EBUSY
// FailedPrecondition (wrong state). Messages name the id or the field.
//
// Files (see /tmp/plan7.md "Dirs"): sandbox_run.cpp, sandbox_stop.cpp,
// sandbox_status.cpp, container_create.cpp, container_lifecycle.cpp,
// container_status.cpp, container_exit.cpp, recovery.cpp.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "crid/config.h"
#include "crid/container_spec.h"
#include "crid/crash_point.h"
#include "crid/cri_api.h"
#include "crid/event_bus.h"
#include "crid/exit_watcher.h"
#include "crid/oci_runtime.h"
#include "crid/pod_store.h"
#include "images/image_service.h"

namespace berth::crid {

class PodManager {
 public:
  PodManager(const Config &config, PodStore &store, images::ImageService &images, EventBus &events);
  ~PodManager();

  // Brings the store in line with the host after a restart (crid/recovery.cpp),
  // then starts watching exit files. Call once, before serving.
  Result<void> recover();
  // Stops the exit watcher thread (shutdown).
  void stop_watching();

  Result<std::string> run_sandbox(const runtime::v1::RunPodSandboxRequest &request);
  Result<void> stop_sandbox(const std::string &id);
  Result<void> remove_sandbox(const std::string &id);
  Result<void> sandbox_status(const std::string &id, bool verbose, runtime::v1::PodSandboxStatusResponse *out);
  void list_sandboxes(const runtime::v1::PodSandboxFilter &filter, runtime::v1::ListPodSandboxResponse *out);

  Result<std::string> create_container(const runtime::v1::CreateContainerRequest &request);
  Result<void> start_container(const std::string &id);
  Result<void> stop_container(const std::string &id, int64_t timeout_seconds);
  Result<void> remove_container(const std::string &id);
  Result<void> container_status(const std::string &id, bool verbose, runtime::v1::ContainerStatusResponse *out);
  void list_containers(const runtime::v1::ContainerFilter &filter, runtime::v1::ListContainersResponse *out);

  // For the other RuntimeService calls (exec, stats, update, logs): the record
  // (refreshed from its exit file), the runtime it runs under, and its dirs.
  Result<ContainerRecord> container(const std::string &id_or_prefix);
  // container(), and its monitor asked (crid/monitor_health.cpp): a dead monitor
  // makes the container EXITED (killed, reason Unknown); a log write failure
  // comes back in *log_problem.
  Result<ContainerRecord> container_checked(const std::string &id_or_prefix, std::string *log_problem);
  Result<SandboxRecord> sandbox(const std::string &id_or_prefix);
  OciRuntime runtime_of(const SandboxRecord &sandbox) const;
  Result<OciRuntime> runtime_of(const ContainerRecord &container) const;
  std::string sandbox_dir(const std::string &id) const;
  std::string container_dir(const std::string &id) const;
  std::string container_layer_dir(const std::string &id) const;  // upper/ and work/ under <root>
  PodStore &store() { return store_; }
  EventBus &events() { return events_; }

 private:
  // Under the object's lock. Records an exit the monitor wrote; true when the state changed.
  bool refresh(ContainerRecord &record);
  bool refresh(SandboxRecord &record);
  Result<void> stop_container_locked(ContainerRecord &record, std::chrono::seconds timeout);
  Result<void> remove_container_locked(ContainerRecord &record);
  Result<void> stop_sandbox_locked(SandboxRecord &record);
  // Kills a container with SIGKILL and waits for its exit to be recorded.
  Result<void> kill_and_wait(const OciRuntime &runtime, const std::string &id, const std::string &exit_file);
  // Marks a container exited without an exit file (its monitor is gone).
  void mark_lost(ContainerRecord &record, const std::string &why);
  // Under the object's lock: see container_checked.
  std::string check_monitor(ContainerRecord &record);
  void on_exit_file(const std::string &key);
  SandboxContext sandbox_context(const SandboxRecord &sandbox) const;
  SpecOptions spec_options() const;
  void publish(LifecycleEvent::Kind kind, const std::string &id, const std::string &sandbox_id);
  void watch_exit(const std::string &dir, const std::string &key);
  void cleanup_interrupted(const SandboxRecord &record);
  void cleanup_interrupted(const ContainerRecord &record);

  const Config &config_;
  PodStore &store_;
  images::ImageService &images_;
  EventBus &events_;
  bool restrict_oom_score_adj_ = false;
  int own_oom_score_adj_ = 0;
  std::unique_ptr<ExitWatcher> watcher_;
};

}  // namespace berth::crid
