// CreateContainer: the image's layers as an overlay rootfs, the OCI spec, and
// the container created by the runtime under its monitor. Any failure undoes
// every step done so far.
#include <cerrno>

#include "crid/log.h"
#include "crid/monitor_client.h"
#include "crid/overlay_rootfs.h"
#include "crid/pod_errors.h"
#include "crid/pod_files.h"
#include "crid/pod_manager.h"
#include "crid/undo_stack.h"

namespace berth::crid {

namespace {

Result<void> validate_container_config(const runtime::v1::ContainerConfig &config) {
  if (!config.has_metadata()) return coded_error(EINVAL, "container config: metadata: required");
  if (config.metadata().name().empty()) return coded_error(EINVAL, "container config: metadata.name: required");
  if (config.image().image().empty()) return coded_error(EINVAL, "container config: image.image: required");
  if (config.log_path().starts_with('/') || config.log_path().find("..") != std::string::npos)
    return coded_error(EINVAL, "container config: log_path \"{}\": must be relative to the pod's log_directory, without ..",
                       config.log_path());
  return {};
}

}  // namespace

Result<std::string> PodManager::create_container(const runtime::v1::CreateContainerRequest &request) {
  const auto &config = request.config();
  if (request.pod_sandbox_id().empty()) return coded_error(EINVAL, "pod_sandbox_id: required");
  auto sandbox_id = TRY(store_.resolve_sandbox(request.pod_sandbox_id()));
  TRY(validate_container_config(config));

  auto sandbox_lock = store_.lock_for(sandbox_id);
  std::lock_guard sandbox_guard(*sandbox_lock);
  auto sandbox = store_.sandbox(sandbox_id);
  if (!sandbox) return coded_error(ENOENT, "pod sandbox \"{}\" not found", sandbox_id);
  refresh(*sandbox);
  if (sandbox->state != SandboxState::Ready)
    return coded_error(EBUSY, "create container \"{}\" in pod sandbox {}: the pod sandbox is not ready",
                       config.metadata().name(), sandbox_id);

  auto image = images_.status(config.image().image());
  if (!image) {
    if (image.error().code == ENOENT)
      return coded_error(ENOENT, "create container \"{}\": image \"{}\" not found", config.metadata().name(),
                         config.image().image());
    return std::unexpected(image.error().context(fmt::format("create container \"{}\"", config.metadata().name())));
  }

  const auto &pm = sandbox->config.metadata();
  ContainerRecord record;
  record.id = TRY(random_id());
  record.sandbox_id = sandbox_id;
  record.name_key = fmt::format("{}_{}_{}_{}_{}", config.metadata().name(), pm.name(), pm.namespace_(), pm.uid(),
                                config.metadata().attempt());
  record.config = config;
  record.image_id = image->id;
  record.image_ref = image->repo_digests.empty() ? image->id : image->repo_digests.front();
  record.image_name = config.image().image();
  record.stop_signal = image->config.stop_signal;
  if (!sandbox->config.log_directory().empty() && !config.log_path().empty())
    record.log_path = sandbox->config.log_directory() + "/" + config.log_path();
  record.created_at_ns = wall_clock_ns();

  auto lock = store_.lock_for(record.id);
  std::lock_guard guard(*lock);
  UndoStack undo;
  TRY(store_.add_container(record));
  undo.push([&] {
    if (auto r = store_.remove_container(record.id); !r) log::error("undo container {}: {}", record.id, r.error().message);
  });

  std::string dir = container_dir(record.id);
  std::string layer = container_layer_dir(record.id);
  TRY(make_dirs(dir, 0711));
  undo.push([dir] {
    if (auto r = remove_tree(dir); !r) log::error("undo: {}", r.error().message);
  });
  TRY(make_dirs(layer, 0700));
  undo.push([layer] {
    if (auto r = remove_tree(layer); !r) log::error("undo: {}", r.error().message);
  });

  OverlayPaths overlay;
  overlay.lower = TRY_CTX(images_.layer_dirs(image->id), fmt::format("create container {}", record.id));
  overlay.upper = layer + "/upper";
  overlay.work = layer + "/work";
  overlay.target = dir + "/rootfs";
  TRY(mount_overlay(overlay));
  undo.push([target = overlay.target] {
    if (auto r = unmount_if_mounted(target); !r) log::error("undo: {}", r.error().message);
  });

  if (!record.log_path.empty()) {
    auto slash = record.log_path.rfind('/');
    TRY(make_dirs(record.log_path.substr(0, slash), 0755));
  }

  auto spec = TRY(build_container_spec(config, sandbox->config, sandbox_context(*sandbox), image->config, record.id,
                                       overlay.target, spec_options()));
  TRY(write_file_atomic(dir + "/config.json", spec.dump()));

  OciRuntime runtime = runtime_of(*sandbox);
  MonitorOptions mo;
  mo.monitor_path = config_.monitor_path;
  mo.id = record.id;
  mo.bundle = dir;
  mo.runtime_path = runtime.path();
  mo.runtime_root = runtime.root();
  mo.log_path = record.log_path;
  mo.exit_file = dir + "/exit.json";
  mo.socket_dir = dir + "/monitor";
  mo.stdin_open = config.stdin();
  mo.tty = config.tty();
  undo.push([runtime, id = record.id] {
    if (auto r = runtime.remove(id); !r) log::error("undo: {}", r.error().message);
  });
  record.pid = TRY_CTX(start_monitor(mo), fmt::format("create container {} (\"{}\")", record.id, config.metadata().name()));
  watch_exit(dir, "container/" + record.id);
  crash_point("create-container");

  record.state = ContainerState::Created;
  TRY(store_.update_container(record));
  undo.commit();
  publish(LifecycleEvent::Kind::ContainerCreated, record.id, sandbox_id);
  log::info("container {} ({}) created in pod sandbox {}", record.id, record.name_key, sandbox_id);
  return record.id;
}

}  // namespace berth::crid
