// Exits: what a monitor's exit file says becomes the record's state, on
// demand (status calls) and as it happens (the exit watcher).
#include <unistd.h>

#include <cerrno>

#include "crid/leftover_processes.h"
#include "crid/log.h"
#include "crid/monitor_client.h"
#include "crid/pod_files.h"
#include "crid/pod_manager.h"

namespace berth::crid {

namespace {

std::string exit_reason(const ExitRecord &exit) {
  if (exit.oom_killed) return "OOMKilled";
  return exit.exit_code == 0 ? "Completed" : "Error";
}

}  // namespace

bool PodManager::refresh(ContainerRecord &record) {
  if (record.state != ContainerState::Created && record.state != ContainerState::Running) return false;
  auto exit = read_exit_file(container_dir(record.id) + "/exit.json");
  if (!exit) {
    if (exit.error().code != ENOENT) log::warning("container {}: {}", record.id, exit.error().message);
    return false;
  }
  record.state = ContainerState::Exited;
  record.exit_code = exit->exit_code;
  record.finished_at_ns = exit->exited_at_ns ? exit->exited_at_ns : wall_clock_ns();
  record.reason = exit_reason(*exit);
  record.message = exit->message;
  if (auto r = store_.update_container(record); !r) log::error("record the exit of container {}: {}", record.id, r.error().message);
  // In a pod's shared pid namespace the init's children are not killed with
  // it: they go now, as a kubelet expects of an exited container.
  if (auto runtime = runtime_of(record)) kill_leftover_processes(*runtime, record.id, container_dir(record.id));
  publish(LifecycleEvent::Kind::ContainerStopped, record.id, record.sandbox_id);
  log::info("container {} exited with {} ({})", record.id, record.exit_code, record.reason);
  return true;
}

void PodManager::mark_lost(ContainerRecord &record, const std::string &why) {
  record.state = ContainerState::Exited;
  record.exit_code = 255;
  record.finished_at_ns = wall_clock_ns();
  record.reason = "Unknown";
  record.message = why;
  if (auto r = store_.update_container(record); !r) log::error("record the exit of container {}: {}", record.id, r.error().message);
  publish(LifecycleEvent::Kind::ContainerStopped, record.id, record.sandbox_id);
  log::warning("container {}: {}", record.id, why);
}

bool PodManager::refresh(SandboxRecord &record) {
  if (record.state != SandboxState::Ready) return false;
  if (::access((sandbox_dir(record.id) + "/exit.json").c_str(), F_OK) != 0) return false;
  // The infra process is gone: the pod's namespaces may be too.
  record.state = SandboxState::NotReady;
  if (auto r = store_.update_sandbox(record); !r) log::error("record pod sandbox {} not ready: {}", record.id, r.error().message);
  publish(LifecycleEvent::Kind::SandboxStopped, record.id, record.id);
  log::warning("pod sandbox {}: its infra process exited", record.id);
  return true;
}

void PodManager::on_exit_file(const std::string &key) {
  auto slash = key.find('/');
  std::string kind = key.substr(0, slash), id = key.substr(slash + 1);
  auto lock = store_.lock_for(id);
  std::lock_guard guard(*lock);
  if (kind == "container") {
    if (auto record = store_.container(id)) refresh(*record);
  } else if (auto record = store_.sandbox(id)) {
    refresh(*record);
  }
}

}  // namespace berth::crid
