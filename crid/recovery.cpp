// Restart recovery: after crid was killed (or the node rebooted), the store is
// brought in line with what the host really holds before crid serves again.
// Monitors keep running without crid and write their exit files, so the exit
// file, then the runtime's own state, decide each object's real state. Creates
// that were interrupted before their reply are taken apart.
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <thread>

#include "crid/create_lock.h"
#include "crid/log.h"
#include "crid/pod_files.h"
#include "crid/pod_manager.h"
#include "crid/sandbox_network.h"

namespace berth::crid {

namespace {

void warn_if(const Result<void> &r, const std::string &what) {
  if (!r) log::warning("recovery: {}: {}", what, r.error().message);
}

// A create under heavy load can take seconds; one that takes longer than
// this is stuck, and crid must come up anyway.
constexpr auto kCreateWait = std::chrono::seconds(60);
constexpr auto kMonitorExitWait = std::chrono::seconds(10);

// The interrupted object's monitor may still be running the runtime's create:
// deleting before it ends would let the create finish afterwards and leave a
// live container that no record names.
void wait_for_interrupted_create(const std::string &dir, const std::string &what) {
  if (!wait_for_create_end(dir, kCreateWait))
    log::warning("recovery: {}: its monitor is still creating after {}s; removing it anyway", what,
                 kCreateWait.count());
}

// Once the runtime has deleted the container, a monitor that got as far as
// serving writes its exit file and goes; the directory is removed after that,
// not while it still writes there.
// Its sockets are the last things it removes before it exits.
void wait_for_monitor_exit(const std::string &dir) {
  std::string ctl = dir + "/monitor/ctl", attach = dir + "/monitor/attach";
  auto until = std::chrono::steady_clock::now() + kMonitorExitWait;
  while ((::access(ctl.c_str(), F_OK) == 0 || ::access(attach.c_str(), F_OK) == 0) &&
         std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

}  // namespace

void PodManager::cleanup_interrupted(const ContainerRecord &record) {
  log::info("recovery: container {} ({}) was being created when crid stopped: removing it", record.id, record.name_key);
  std::string dir = container_dir(record.id);
  wait_for_interrupted_create(dir, "container " + record.id);
  if (auto runtime = runtime_of(record)) warn_if(runtime->remove(record.id), "delete container " + record.id);
  wait_for_monitor_exit(dir);
  warn_if(unmount_if_mounted(dir + "/rootfs"), "container " + record.id);
  warn_if(remove_tree(dir), "container " + record.id);
  warn_if(remove_tree(container_layer_dir(record.id)), "container " + record.id);
  warn_if(store_.remove_container(record.id), "container " + record.id);
}

void PodManager::cleanup_interrupted(const SandboxRecord &record) {
  log::info("recovery: pod sandbox {} ({}) was being created when crid stopped: removing it", record.id, record.name_key);
  wait_for_interrupted_create(sandbox_dir(record.id), "pod sandbox " + record.id);
  warn_if(runtime_of(record).remove(record.id), "delete pod sandbox " + record.id);
  wait_for_monitor_exit(sandbox_dir(record.id));
  // The record is saved before the network is made: the cache and the
  // namespace's place say what there is to undo.
  warn_if(teardown_sandbox_network(config_, record.id, sandbox_netns_path(config_, record.id)),
          "pod sandbox " + record.id);
  // Recorded before the mount was made: whether it was is not in the record.
  warn_if(unmount_if_mounted(sandbox_dir(record.id) + "/shm"), "pod sandbox " + record.id);
  warn_if(remove_tree(sandbox_dir(record.id)), "pod sandbox " + record.id);
  warn_if(store_.remove_sandbox(record.id), "pod sandbox " + record.id);
}

Result<void> PodManager::recover() {
  watcher_ = TRY(ExitWatcher::start([this](const std::string &key) { on_exit_file(key); }));
  int running = 0, exited = 0, cleaned = 0;

  for (auto record : store_.containers()) {
    bool orphan = !store_.sandbox(record.sandbox_id);
    if (record.state == ContainerState::Creating || orphan) {
      cleanup_interrupted(record);
      ++cleaned;
      continue;
    }
    std::string dir = container_dir(record.id);
    if (record.state == ContainerState::Exited) continue;
    // Watch first, then look: an exit in between is not missed.
    watch_exit(dir, "container/" + record.id);
    if (refresh(record)) {
      ++exited;
      continue;
    }
    auto runtime = runtime_of(record);
    auto status = runtime ? runtime->status(record.id) : Result<std::string>(std::string());
    if (!status) {
      log::warning("recovery: container {}: {}", record.id, status.error().message);
    } else if (status->empty() || *status == "stopped") {
      // Stopped without an exit file: the monitor died too, or the state
      // under --state is gone (a reboot).
      if (!refresh(record)) mark_lost(record, "the container was gone when crid restarted; its exit code is unknown");
      ++exited;
      continue;
    }
    // Started by the runtime, but crid stopped before it recorded that.
    if (status && record.state == ContainerState::Created && *status != "created") {
      record.state = ContainerState::Running;
      if (!record.started_at_ns) record.started_at_ns = wall_clock_ns();
      warn_if(store_.update_container(record), "container " + record.id);
    }
    ++running;
  }

  for (auto record : store_.sandboxes()) {
    if (record.state == SandboxState::Creating) {
      cleanup_interrupted(record);
      ++cleaned;
      continue;
    }
    if (record.state != SandboxState::Ready) continue;
    watch_exit(sandbox_dir(record.id), "sandbox/" + record.id);
    if (refresh(record)) continue;
    auto status = runtime_of(record).status(record.id);
    if (status && (status->empty() || *status == "stopped")) {
      record.state = SandboxState::NotReady;
      warn_if(store_.update_sandbox(record), "pod sandbox " + record.id);
      log::warning("recovery: pod sandbox {}: its infra container is gone", record.id);
    }
  }
  log::info("recovery: {} containers running, {} exited while crid was down, {} interrupted creates cleaned up",
            running, exited, cleaned);
  return {};
}

}  // namespace berth::crid
