// PodSandboxStatus and ListPodSandbox.
#include <cerrno>
#include <fstream>
#include <sstream>

#include <google/protobuf/util/json_util.h>
#include <nlohmann/json.hpp>

#include "crid/list_filters.h"
#include "crid/pod_errors.h"
#include "crid/pod_files.h"
#include "crid/pod_manager.h"
#include "crid/sandbox_network.h"

namespace berth::crid {

namespace {

// The bundle's config.json as JSON, or null when it cannot be read.
nlohmann::json read_spec(const std::string &path) {
  std::ifstream in(path);
  if (!in) return nullptr;
  std::stringstream text;
  text << in.rdbuf();
  return nlohmann::json::parse(text.str(), nullptr, false);
}

}  // namespace

Result<void> PodManager::sandbox_status(const std::string &id_or_prefix, bool verbose,
                                        runtime::v1::PodSandboxStatusResponse *out) {
  auto record = TRY(sandbox(id_or_prefix));
  if (record.state == SandboxState::Creating) return coded_error(ENOENT, "pod sandbox \"{}\" not found", record.id);
  auto *s = out->mutable_status();
  s->set_id(record.id);
  *s->mutable_metadata() = record.config.metadata();
  s->set_state(to_cri(record.state));
  s->set_created_at(record.created_at_ns);
  auto *network = s->mutable_network();
  auto ips = sandbox_ips(config_, record);
  if (!ips.empty()) network->set_ip(ips[0]);
  for (size_t i = 1; i < ips.size(); ++i) network->add_additional_ips()->set_ip(ips[i]);
  *s->mutable_linux()->mutable_namespaces()->mutable_options() =
      record.config.linux().security_context().namespace_options();
  s->mutable_labels()->insert(record.config.labels().begin(), record.config.labels().end());
  s->mutable_annotations()->insert(record.config.annotations().begin(), record.config.annotations().end());
  s->set_runtime_handler(record.runtime_handler);
  out->set_timestamp(wall_clock_ns());
  if (verbose) {
    std::string config_json;
    (void)google::protobuf::util::MessageToJsonString(record.config, &config_json);
    std::string dir = sandbox_dir(record.id);
    nlohmann::json info = {
        {"pid", record.pid},
        {"processStatus", record.state == SandboxState::Ready ? "running" : "stopped"},
        {"netNamespaceClosed", record.state != SandboxState::Ready},
        {"image", "crid-pause (built in)"},
        {"runtimeHandler", record.runtime_handler},
        {"runtimeType", "io.berth.oci"},
        {"runtimeOptions", {{"binaryName", record.runtime_path}, {"root", runtime_of(record).root()}}},
        {"config", nlohmann::json::parse(config_json, nullptr, false)},
        {"runtimeSpec", read_spec(dir + "/config.json")},
        {"cgroupParent", record.cgroup_parent},
        {"netnsPath", record.netns_path},
        {"shmPath", record.shm_path},
        {"bundle", dir},
    };
    (*out->mutable_info())["info"] = info.dump();
  }
  return {};
}

void PodManager::list_sandboxes(const runtime::v1::PodSandboxFilter &filter, runtime::v1::ListPodSandboxResponse *out) {
  for (auto &r : store_.sandboxes()) {
    if (r.state == SandboxState::Creating) continue;
    if (r.state == SandboxState::Ready) {
      auto lock = store_.lock_for(r.id);
      // A pod busy in another call is reported as last recorded.
      if (lock->try_lock()) {
        if (auto fresh = store_.sandbox(r.id)) {
          r = std::move(*fresh);
          refresh(r);
        }
        lock->unlock();
      }
    }
    if (!matches(r, filter)) continue;
    auto *p = out->add_items();
    p->set_id(r.id);
    *p->mutable_metadata() = r.config.metadata();
    p->set_state(to_cri(r.state));
    p->set_created_at(r.created_at_ns);
    p->mutable_labels()->insert(r.config.labels().begin(), r.config.labels().end());
    p->mutable_annotations()->insert(r.config.annotations().begin(), r.config.annotations().end());
    p->set_runtime_handler(r.runtime_handler);
  }
}

}  // namespace berth::crid
