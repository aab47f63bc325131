// ContainerStatus and ListContainers.
#include <cerrno>
#include <fstream>
#include <sstream>

#include <google/protobuf/util/json_util.h>
#include <nlohmann/json.hpp>

#include "crid/list_filters.h"
#include "crid/pod_errors.h"
#include "crid/pod_files.h"
#include "crid/pod_manager.h"

namespace berth::crid {

namespace {

nlohmann::json read_json_file(const std::string &path) {
  std::ifstream in(path);
  if (!in) return nullptr;
  std::stringstream text;
  text << in.rdbuf();
  return nlohmann::json::parse(text.str(), nullptr, false);
}

void fill_image(const ContainerRecord &r, runtime::v1::ImageSpec *image) {
  *image = r.config.image();
  image->set_image(r.image_name);
  image->set_image_ref(r.image_id);
}

}  // namespace

Result<void> PodManager::container_status(const std::string &id_or_prefix, bool verbose,
                                          runtime::v1::ContainerStatusResponse *out) {
  std::string log_problem;
  auto r = TRY(container_checked(id_or_prefix, &log_problem));
  if (r.state == ContainerState::Creating) return coded_error(ENOENT, "container \"{}\" not found", r.id);
  auto *s = out->mutable_status();
  s->set_id(r.id);
  *s->mutable_metadata() = r.config.metadata();
  s->set_state(to_cri(r.state));
  s->set_created_at(r.created_at_ns);
  s->set_started_at(r.started_at_ns);
  s->set_finished_at(r.finished_at_ns);
  s->set_exit_code(r.exit_code);
  fill_image(r, s->mutable_image());
  s->set_image_ref(r.image_ref);
  s->set_image_id(r.image_id);
  s->set_reason(r.reason);
  s->set_message(log_problem.empty() ? r.message : log_problem);
  s->mutable_labels()->insert(r.config.labels().begin(), r.config.labels().end());
  s->mutable_annotations()->insert(r.config.annotations().begin(), r.config.annotations().end());
  for (const auto &m : r.config.mounts()) *s->add_mounts() = m;
  s->set_log_path(r.log_path);
  if (r.config.linux().has_resources())
    *s->mutable_resources()->mutable_linux() = r.config.linux().resources();
  if (verbose) {
    std::string config_json;
    (void)google::protobuf::util::MessageToJsonString(r.config, &config_json);
    std::string dir = container_dir(r.id);
    nlohmann::json info = {
        {"sandboxID", r.sandbox_id},
        {"pid", r.state == ContainerState::Exited ? 0 : r.pid},
        {"removing", false},
        {"snapshotKey", r.id},
        {"snapshotter", "overlayfs"},
        {"runtimeType", "io.berth.oci"},
        {"config", nlohmann::json::parse(config_json, nullptr, false)},
        {"runtimeSpec", read_json_file(dir + "/config.json")},
        {"bundle", dir},
        {"rootfs", dir + "/rootfs"},
    };
    if (auto rt = runtime_of(r)) info["runtimeOptions"] = {{"binaryName", rt->path()}, {"root", rt->root()}};
    (*out->mutable_info())["info"] = info.dump();
  }
  return {};
}

void PodManager::list_containers(const runtime::v1::ContainerFilter &filter, runtime::v1::ListContainersResponse *out) {
  for (auto &r : store_.containers()) {
    if (r.state == ContainerState::Creating) continue;
    if (r.state == ContainerState::Created || r.state == ContainerState::Running) {
      auto lock = store_.lock_for(r.id);
      if (lock->try_lock()) {
        if (auto fresh = store_.container(r.id)) {
          r = std::move(*fresh);
          refresh(r);
        }
        lock->unlock();
      }
    }
    if (!matches(r, filter)) continue;
    auto *c = out->add_containers();
    c->set_id(r.id);
    c->set_pod_sandbox_id(r.sandbox_id);
    *c->mutable_metadata() = r.config.metadata();
    fill_image(r, c->mutable_image());
    c->set_image_ref(r.image_ref);
    c->set_image_id(r.image_id);
    c->set_state(to_cri(r.state));
    c->set_created_at(r.created_at_ns);
    c->mutable_labels()->insert(r.config.labels().begin(), r.config.labels().end());
    c->mutable_annotations()->insert(r.config.annotations().begin(), r.config.annotations().end());
  }
}

}  // namespace berth::crid
