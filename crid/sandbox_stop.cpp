// StopPodSandbox and RemovePodSandbox: both idempotent, both take the pod's
// containers down first.
#include <unistd.h>

#include <cerrno>

#include "crid/exit_wait.h"
#include "crid/log.h"
#include "crid/pod_errors.h"
#include "crid/pod_files.h"
#include "crid/pod_manager.h"
#include "crid/sandbox_network.h"

namespace berth::crid {

namespace {

// How long a SIGKILLed process may take to be reaped and recorded by its monitor.
constexpr std::chrono::seconds kKillWait{10};

}  // namespace

Result<void> PodManager::kill_and_wait(const OciRuntime &runtime, const std::string &id, const std::string &exit_file) {
  if (::access(exit_file.c_str(), F_OK) == 0) return {};
  auto killed = runtime.kill(id, "KILL");
  if (TRY(wait_for_file(exit_file, killed ? kKillWait : std::chrono::seconds(0)))) return {};
  // No exit file: either the kill failed, or the monitor is gone. Whatever the
  // runtime says decides whether the process still runs.
  auto status = TRY(runtime.status(id));
  if (status.empty() || status == "stopped") return {};
  if (!killed) return std::unexpected(killed.error());
  return coded_error(ETIMEDOUT, "{} did not exit within {}s of SIGKILL (runtime status \"{}\")", id, kKillWait.count(), status);
}

Result<void> PodManager::stop_sandbox_locked(SandboxRecord &record) {
  for (const auto &cid : store_.containers_of(record.id)) {
    auto lock = store_.lock_for(cid);
    std::lock_guard guard(*lock);
    auto c = store_.container(cid);
    if (!c) continue;
    TRY_CTX(stop_container_locked(*c, std::chrono::seconds(0)), fmt::format("stop pod sandbox {}", record.id));
  }
  std::string dir = sandbox_dir(record.id);
  TRY_CTX(kill_and_wait(runtime_of(record), record.id, dir + "/exit.json"),
          fmt::format("stop the infra container of pod sandbox {}", record.id));
  if (record.shm_mounted) {
    TRY(unmount_if_mounted(record.shm_path));
    record.shm_mounted = false;
  }
  if (!record.netns_path.empty()) {
    TRY_CTX(teardown_sandbox_network(config_, record.id, record.netns_path), fmt::format("stop pod sandbox {}", record.id));
    record.netns_path.clear();
    record.ips.clear();
  }
  if (record.state != SandboxState::NotReady) {
    record.state = SandboxState::NotReady;
    TRY(store_.update_sandbox(record));
    publish(LifecycleEvent::Kind::SandboxStopped, record.id, record.id);
  } else {
    TRY(store_.update_sandbox(record));
  }
  return {};
}

Result<void> PodManager::stop_sandbox(const std::string &id_or_prefix) {
  auto id = TRY(store_.resolve_sandbox(id_or_prefix));
  auto lock = store_.lock_for(id);
  std::lock_guard guard(*lock);
  auto record = store_.sandbox(id);
  if (!record) return coded_error(ENOENT, "pod sandbox \"{}\" not found", id);
  TRY(stop_sandbox_locked(*record));
  log::info("pod sandbox {} stopped", id);
  return {};
}

Result<void> PodManager::remove_sandbox(const std::string &id_or_prefix) {
  auto resolved = store_.resolve_sandbox(id_or_prefix);
  if (!resolved && resolved.error().code == ENOENT) return {};  // already gone: CRI wants OK
  auto id = TRY(std::move(resolved));
  auto lock = store_.lock_for(id);
  std::lock_guard guard(*lock);
  auto record = store_.sandbox(id);
  if (!record) return {};
  TRY(stop_sandbox_locked(*record));
  for (const auto &cid : store_.containers_of(id)) {
    auto clock = store_.lock_for(cid);
    std::lock_guard cguard(*clock);
    auto c = store_.container(cid);
    if (!c) continue;
    TRY_CTX(remove_container_locked(*c), fmt::format("remove pod sandbox {}", id));
  }
  TRY_CTX(runtime_of(*record).remove(id), fmt::format("remove pod sandbox {}", id));
  TRY_CTX(remove_tree(sandbox_dir(id)), fmt::format("remove pod sandbox {}", id));
  TRY(store_.remove_sandbox(id));
  publish(LifecycleEvent::Kind::SandboxDeleted, id, id);
  log::info("pod sandbox {} removed", id);
  return {};
}

}  // namespace berth::crid
