// A running container's monitor, asked on every ContainerStatus: is it still
// there, and can it write the container's log? A monitor killed from outside
// (OOM killer, an administrator) leaves a container whose output goes nowhere
// and whose exit nobody would record: without this check its status would
// say RUNNING forever. A full log volume leaves the container running (its
// output is dropped, never blocks it) and is reported in the status message
// until the monitor writes again.
#include <cerrno>
#include <chrono>
#include <thread>

#include "crid/log.h"
#include "crid/monitor_client.h"
#include "crid/pod_errors.h"
#include "crid/pod_manager.h"

namespace berth::crid {

namespace {

// How long a container killed after its monitor died may take to go.
constexpr auto kOrphanKillWait = std::chrono::seconds(3);

bool monitor_gone(const Error &e) { return e.code == ECONNREFUSED || e.code == ENOENT; }

}  // namespace

std::string PodManager::check_monitor(ContainerRecord &record) {
  if (record.state != ContainerState::Running) return {};
  std::string dir = container_dir(record.id);
  auto r = monitor_command(dir + "/monitor", "log-status");
  if (r) return {};
  if (!monitor_gone(r.error())) return fmt::format("log: {}", r.error().message);
  // It may have written the exit file and gone just now, as it does.
  if (refresh(record)) return {};
  auto runtime = runtime_of(record);
  bool stopped = false;
  if (runtime) {
    (void)runtime->kill(record.id, "KILL");
    auto until = std::chrono::steady_clock::now() + kOrphanKillWait;
    while (!stopped && std::chrono::steady_clock::now() < until) {
      auto status = runtime->status(record.id);
      stopped = status && (status->empty() || *status == "stopped");
      if (!stopped) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  mark_lost(record, stopped ? "the container's monitor (crid-monitor) died; crid killed the container, "
                              "whose output and exit code could no longer be recorded"
                            : "the container's monitor (crid-monitor) died and the container did not stop on SIGKILL");
  return {};
}

Result<ContainerRecord> PodManager::container_checked(const std::string &id_or_prefix, std::string *log_problem) {
  auto id = TRY(store_.resolve_container(id_or_prefix));
  auto lock = store_.lock_for(id);
  std::lock_guard guard(*lock);
  auto record = store_.container(id);
  if (!record) return coded_error(ENOENT, "container \"{}\" not found", id);
  refresh(*record);
  *log_problem = check_monitor(*record);
  return *record;
}

}  // namespace berth::crid
