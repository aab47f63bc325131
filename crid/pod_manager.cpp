#include "crid/pod_manager.h"

#include <signal.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "crid/log.h"
#include "crid/pod_errors.h"
#include "crid/pod_files.h"

namespace berth::crid {

namespace {

constexpr int kCapSysResource = 24;

bool has_cap_sys_resource() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (!line.starts_with("CapEff:")) continue;
    unsigned long long caps = std::strtoull(line.c_str() + 7, nullptr, 16);
    return (caps >> kCapSysResource) & 1;
  }
  return false;
}

int read_own_oom_score_adj() {
  std::ifstream in("/proc/self/oom_score_adj");
  int v = 0;
  in >> v;
  return v;
}

}  // namespace

PodManager::PodManager(const Config &config, PodStore &store, images::ImageService &images, EventBus &events)
    : config_(config), store_(store), images_(images), events_(events) {
  restrict_oom_score_adj_ = config.restrict_oom_score_adj.value_or(!has_cap_sys_resource());
  own_oom_score_adj_ = read_own_oom_score_adj();
}

PodManager::~PodManager() { stop_watching(); }

void PodManager::stop_watching() {
  if (watcher_) watcher_->stop();
}

std::string PodManager::sandbox_dir(const std::string &id) const { return config_.state + "/sandboxes/" + id; }
std::string PodManager::container_dir(const std::string &id) const { return config_.state + "/containers/" + id; }
std::string PodManager::container_layer_dir(const std::string &id) const { return config_.root + "/containers/" + id; }

OciRuntime PodManager::runtime_of(const SandboxRecord &sandbox) const {
  std::string handler = sandbox.runtime_handler.empty() ? "default" : sandbox.runtime_handler;
  std::string path = sandbox.runtime_path.empty() ? config_.runtime_for_handler(sandbox.runtime_handler) : sandbox.runtime_path;
  return OciRuntime(path, config_.state + "/runtime/" + handler);
}

Result<OciRuntime> PodManager::runtime_of(const ContainerRecord &container) const {
  auto sandbox = store_.sandbox(container.sandbox_id);
  if (!sandbox) return make_error("container {}: its pod sandbox {} is gone", container.id, container.sandbox_id);
  return runtime_of(*sandbox);
}

SpecOptions PodManager::spec_options() const {
  SpecOptions o;
  o.seccomp_default_profile = config_.seccomp_default_profile;
  o.restrict_oom_score_adj = restrict_oom_score_adj_;
  o.own_oom_score_adj = own_oom_score_adj_;
  return o;
}

SandboxContext PodManager::sandbox_context(const SandboxRecord &sandbox) const {
  SandboxContext c;
  c.id = sandbox.id;
  c.infra_pid = sandbox.pid;
  c.netns_path = sandbox.netns_path;
  const auto &ns = sandbox.config.linux().security_context().namespace_options();
  c.host_network = ns.network() == runtime::v1::NODE;
  c.host_ipc = ns.ipc() == runtime::v1::NODE;
  c.host_pid = ns.pid() == runtime::v1::NODE;
  c.pod_pid = ns.pid() == runtime::v1::POD;
  c.hostname = sandbox.config.hostname();
  std::string dir = sandbox_dir(sandbox.id);
  c.resolv_conf_path = dir + "/resolv.conf";
  c.hosts_path = dir + "/hosts";
  c.hostname_path = dir + "/hostname";
  c.shm_path = sandbox.shm_path;
  c.cgroup_parent = sandbox.cgroup_parent;
  return c;
}

void PodManager::publish(LifecycleEvent::Kind kind, const std::string &id, const std::string &sandbox_id) {
  events_.publish({kind, id, sandbox_id, wall_clock_ns()});
}

void PodManager::watch_exit(const std::string &dir, const std::string &key) {
  if (!watcher_) return;
  if (auto r = watcher_->watch(dir, key); !r)
    log::warning("{} (its exit is recorded when a client asks for its status)", r.error().message);
}

Result<ContainerRecord> PodManager::container(const std::string &id_or_prefix) {
  auto id = TRY(store_.resolve_container(id_or_prefix));
  auto lock = store_.lock_for(id);
  std::lock_guard guard(*lock);
  auto record = store_.container(id);
  if (!record) return coded_error(ENOENT, "container \"{}\" not found", id);
  refresh(*record);
  return *record;
}

Result<SandboxRecord> PodManager::sandbox(const std::string &id_or_prefix) {
  auto id = TRY(store_.resolve_sandbox(id_or_prefix));
  auto lock = store_.lock_for(id);
  std::lock_guard guard(*lock);
  auto record = store_.sandbox(id);
  if (!record) return coded_error(ENOENT, "pod sandbox \"{}\" not found", id);
  refresh(*record);
  return *record;
}

}  // namespace berth::crid
