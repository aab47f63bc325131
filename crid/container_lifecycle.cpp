// StartContainer, StopContainer (the image's stop signal, a grace period, then
// SIGKILL) and RemoveContainer.
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "crid/exit_wait.h"
#include "crid/leftover_processes.h"
#include "crid/log.h"
#include "crid/pod_errors.h"
#include "crid/pod_files.h"
#include "crid/pod_manager.h"

namespace berth::crid {

Result<void> PodManager::start_container(const std::string &id_or_prefix) {
  auto id = TRY(store_.resolve_container(id_or_prefix));
  auto lock = store_.lock_for(id);
  std::lock_guard guard(*lock);
  auto record = store_.container(id);
  if (!record) return coded_error(ENOENT, "container \"{}\" not found", id);
  refresh(*record);
  if (record->state != ContainerState::Created)
    return coded_error(EBUSY, "start container {}: it is {}, not created", id, to_string(record->state));
  auto runtime = TRY(runtime_of(*record));
  if (auto r = runtime.start(id); !r) {
    // The kubelet removes and recreates a container that failed to start;
    // record why, as containerd does, so ContainerStatus tells it.
    refresh(*record);
    return std::unexpected(r.error().context(fmt::format("start container {}", id)));
  }
  crash_point("start-container");
  record->state = ContainerState::Running;
  record->started_at_ns = wall_clock_ns();
  TRY(store_.update_container(*record));
  publish(LifecycleEvent::Kind::ContainerStarted, id, record->sandbox_id);
  // It may have exited already, before the running state was recorded.
  refresh(*record);
  return {};
}

Result<void> PodManager::stop_container_locked(ContainerRecord &record, std::chrono::seconds timeout) {
  refresh(record);
  if (record.state == ContainerState::Creating) return {};
  auto runtime = TRY(runtime_of(record));
  std::string exit_file = container_dir(record.id) + "/exit.json";
  if (record.state == ContainerState::Exited) {
    kill_leftover_processes(runtime, record.id, container_dir(record.id));
    return {};
  }
  if (record.state == ContainerState::Running && timeout.count() > 0) {
    std::string signal = record.stop_signal.empty() ? "SIGTERM" : record.stop_signal;
    auto killed = runtime.kill(record.id, signal);
    crash_point("stop-container");
    if (!killed)
      log::warning("stop container {}: {} (killing it)", record.id, killed.error().message);
    else if (TRY(wait_for_file(exit_file, timeout))) {
      kill_leftover_processes(runtime, record.id, container_dir(record.id));
      refresh(record);
      return {};
    }
  }
  TRY_CTX(kill_and_wait(runtime, record.id, exit_file), fmt::format("stop container {}", record.id));
  kill_leftover_processes(runtime, record.id, container_dir(record.id));
  if (!refresh(record) && record.state != ContainerState::Exited)
    mark_lost(record, "the container's monitor is gone; its exit code is unknown");
  return {};
}

Result<void> PodManager::stop_container(const std::string &id_or_prefix, int64_t timeout_seconds) {
  auto id = TRY(store_.resolve_container(id_or_prefix));
  auto lock = store_.lock_for(id);
  std::lock_guard guard(*lock);
  auto record = store_.container(id);
  if (!record) return coded_error(ENOENT, "container \"{}\" not found", id);
  TRY(stop_container_locked(*record, std::chrono::seconds(std::max<int64_t>(timeout_seconds, 0))));
  log::info("container {} stopped", id);
  return {};
}

Result<void> PodManager::remove_container_locked(ContainerRecord &record) {
  TRY(stop_container_locked(record, std::chrono::seconds(0)));
  auto runtime = runtime_of(record);
  if (runtime) TRY_CTX(runtime->remove(record.id), fmt::format("remove container {}", record.id));
  crash_point("remove-container");
  std::string dir = container_dir(record.id);
  TRY_CTX(unmount_if_mounted(dir + "/rootfs"), fmt::format("remove container {}", record.id));
  TRY_CTX(remove_tree(dir), fmt::format("remove container {}", record.id));
  TRY_CTX(remove_tree(container_layer_dir(record.id)), fmt::format("remove container {}", record.id));
  TRY(store_.remove_container(record.id));
  publish(LifecycleEvent::Kind::ContainerDeleted, record.id, record.sandbox_id);
  return {};
}

Result<void> PodManager::remove_container(const std::string &id_or_prefix) {
  auto resolved = store_.resolve_container(id_or_prefix);
  if (!resolved && resolved.error().code == ENOENT) return {};  // already gone: OK, as containerd
  auto id = TRY(std::move(resolved));
  auto lock = store_.lock_for(id);
  std::lock_guard guard(*lock);
  auto record = store_.container(id);
  if (!record) return {};
  TRY(remove_container_locked(*record));
  log::info("container {} removed", id);
  return {};
}

}  // namespace berth::crid
