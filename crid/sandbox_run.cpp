// RunPodSandbox: the pod's files and /dev/shm, its network (a pinned netns
// attached through CNI, crid/sandbox_network.h), its infra container (the pod's
// namespaces, held by crid-pause) under a monitor, and its record. Any failure
// undoes every step done so far.
#include <unistd.h>

#include <cerrno>

#include <nlohmann/json.hpp>

#include "crid/log.h"
#include "crid/monitor_client.h"
#include "crid/pod_errors.h"
#include "crid/pod_files.h"
#include "crid/pod_manager.h"
#include "crid/sandbox_network.h"
#include "crid/undo_stack.h"

namespace berth::crid {

namespace {

Result<void> validate_sandbox_config(const runtime::v1::PodSandboxConfig &config) {
  if (!config.has_metadata()) return coded_error(EINVAL, "pod sandbox config: metadata: required");
  const auto &m = config.metadata();
  if (m.name().empty()) return coded_error(EINVAL, "pod sandbox config: metadata.name: required");
  if (m.namespace_().empty()) return coded_error(EINVAL, "pod sandbox config: metadata.namespace: required");
  if (m.uid().empty()) return coded_error(EINVAL, "pod sandbox config: metadata.uid: required");
  for (const auto *field : {&m.name(), &m.namespace_(), &m.uid()})
    if (field->find('/') != std::string::npos || field->find('\0') != std::string::npos)
      return coded_error(EINVAL, "pod sandbox config: metadata: \"{}\" must not hold '/'", *field);
  return {};
}

std::string host_name() {
  char buf[256] = {};
  ::gethostname(buf, sizeof buf - 1);
  return buf;
}

}  // namespace

Result<std::string> PodManager::run_sandbox(const runtime::v1::RunPodSandboxRequest &request) {
  const auto &config = request.config();
  TRY(validate_sandbox_config(config));
  const auto &m = config.metadata();
  std::string runtime_path = config_.runtime_for_handler(request.runtime_handler());
  if (runtime_path.empty())
    return coded_error(EINVAL, "runtime handler \"{}\": unknown (crid.conf has no [runtimes.{}])",
                       request.runtime_handler(), request.runtime_handler());

  SandboxRecord record;
  record.id = TRY(random_id());
  record.name_key = fmt::format("{}_{}_{}_{}", m.name(), m.namespace_(), m.uid(), m.attempt());
  record.state = SandboxState::Creating;
  record.config = config;
  record.runtime_handler = request.runtime_handler();
  record.runtime_path = runtime_path;
  record.cgroup_parent = config.linux().cgroup_parent().empty() ? config_.cgroup_parent : config.linux().cgroup_parent();
  record.created_at_ns = wall_clock_ns();
  const auto &ns = config.linux().security_context().namespace_options();
  if (config.hostname().empty() && ns.network() == runtime::v1::NODE) record.config.set_hostname(host_name());

  auto lock = store_.lock_for(record.id);
  std::lock_guard guard(*lock);
  UndoStack undo;
  TRY(store_.add_sandbox(record));
  undo.push([&] {
    if (auto r = store_.remove_sandbox(record.id); !r) log::error("undo pod sandbox {}: {}", record.id, r.error().message);
  });

  std::string dir = sandbox_dir(record.id);
  TRY(make_dirs(dir, 0711));
  undo.push([dir] {
    if (auto r = remove_tree(dir); !r) log::error("undo: {}", r.error().message);
  });
  TRY(write_file_atomic(dir + "/hostname", record.config.hostname() + "\n"));
  TRY(write_resolv_conf(dir + "/resolv.conf", config.dns_config()));
  TRY(write_file_atomic(dir + "/hosts", hosts_text(record.config.hostname())));

  if (ns.ipc() == runtime::v1::NODE) {
    record.shm_path = "/dev/shm";
  } else {
    record.shm_path = dir + "/shm";
    TRY(make_dirs(record.shm_path, 0755));
    TRY(mount_shm(record.shm_path, config_.default_shm_size));
    record.shm_mounted = true;
    undo.push([path = record.shm_path] {
      if (auto r = unmount_if_mounted(path); !r) log::error("undo: {}", r.error().message);
    });
  }

  if (!uses_host_network(config)) {
    auto network = TRY(setup_sandbox_network(config_, record.id, config));
    record.netns_path = network.netns_path;
    record.ips = network.ips;
    undo.push([this, id = record.id, path = record.netns_path] {
      if (auto r = teardown_sandbox_network(config_, id, path); !r) log::error("undo: {}", r.error().message);
    });
  }

  std::string infra_rootfs = config_.root + "/infra-rootfs";
  TRY(make_dirs(infra_rootfs, 0755));
  auto spec = TRY(build_sandbox_spec(config, sandbox_context(record), infra_rootfs, config_.infra_binary, spec_options()));
  TRY(write_file_atomic(dir + "/config.json", spec.dump()));

  OciRuntime runtime = runtime_of(record);
  TRY(make_dirs(runtime.root(), 0700));
  MonitorOptions mo;
  mo.monitor_path = config_.monitor_path;
  mo.id = record.id;
  mo.bundle = dir;
  mo.runtime_path = runtime.path();
  mo.runtime_root = runtime.root();
  mo.exit_file = dir + "/exit.json";
  mo.socket_dir = dir + "/monitor";
  // Registered before the runtime may have made anything: a monitor that
  // fails half way can leave runtime state behind too.
  undo.push([runtime, id = record.id] {
    if (auto r = runtime.remove(id); !r) log::error("undo: {}", r.error().message);
  });
  record.pid = TRY_CTX(start_monitor(mo), fmt::format("create the infra container of pod sandbox {}", record.id));
  watch_exit(dir, "sandbox/" + record.id);
  TRY_CTX(runtime.start(record.id), fmt::format("start the infra container of pod sandbox {}", record.id));
  crash_point("run-sandbox");

  record.state = SandboxState::Ready;
  TRY(store_.update_sandbox(record));
  undo.commit();
  publish(LifecycleEvent::Kind::SandboxCreated, record.id, record.id);
  log::info("pod sandbox {} ({}) ready, infra pid {}", record.id, record.name_key, record.pid);
  return record.id;
}

}  // namespace berth::crid
