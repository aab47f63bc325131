#include "crid/pod_records.h"

#include <nlohmann/json.hpp>

namespace berth::crid {

namespace {

template <typename E>
struct StateName {
  E state;
  const char *name;
};

constexpr StateName<SandboxState> kSandboxStates[] = {
    {SandboxState::Creating, "creating"}, {SandboxState::Ready, "ready"}, {SandboxState::NotReady, "notready"}};
constexpr StateName<ContainerState> kContainerStates[] = {{ContainerState::Creating, "creating"},
                                                          {ContainerState::Created, "created"},
                                                          {ContainerState::Running, "running"},
                                                          {ContainerState::Exited, "exited"}};

template <typename E, size_t N>
Result<E> parse_state(const StateName<E> (&table)[N], const std::string &name, const std::string &id) {
  for (const auto &entry : table)
    if (name == entry.name) return entry.state;
  return make_error("record of {}: unknown state \"{}\"", id, name);
}

}  // namespace

const char *to_string(SandboxState state) {
  for (const auto &entry : kSandboxStates)
    if (entry.state == state) return entry.name;
  return "unknown";
}

const char *to_string(ContainerState state) {
  for (const auto &entry : kContainerStates)
    if (entry.state == state) return entry.name;
  return "unknown";
}

MetadataStore::Row to_row(const SandboxRecord &r) {
  nlohmann::json j = {{"nameKey", r.name_key},         {"state", to_string(r.state)},
                      {"runtimeHandler", r.runtime_handler}, {"runtimePath", r.runtime_path},
                      {"cgroupParent", r.cgroup_parent},     {"netnsPath", r.netns_path},
                      {"shmPath", r.shm_path},               {"shmMounted", r.shm_mounted},
                      {"pid", r.pid},                        {"createdAt", r.created_at_ns},
                      {"ips", r.ips}};
  return {r.id, "", j.dump(), r.config.SerializeAsString()};
}

MetadataStore::Row to_row(const ContainerRecord &r) {
  nlohmann::json j = {{"nameKey", r.name_key},       {"state", to_string(r.state)},
                      {"imageId", r.image_id},       {"imageRef", r.image_ref},
                      {"imageName", r.image_name},   {"stopSignal", r.stop_signal},
                      {"logPath", r.log_path},       {"pid", r.pid},
                      {"createdAt", r.created_at_ns}, {"startedAt", r.started_at_ns},
                      {"finishedAt", r.finished_at_ns}, {"exitCode", r.exit_code},
                      {"reason", r.reason},          {"message", r.message}};
  return {r.id, r.sandbox_id, j.dump(), r.config.SerializeAsString()};
}

Result<SandboxRecord> sandbox_from_row(const MetadataStore::Row &row) {
  SandboxRecord r;
  r.id = row.id;
  try {
    auto j = nlohmann::json::parse(row.record);
    r.name_key = j.at("nameKey").get<std::string>();
    r.state = TRY(parse_state(kSandboxStates, j.at("state").get<std::string>(), row.id));
    r.runtime_handler = j.value("runtimeHandler", "");
    r.runtime_path = j.value("runtimePath", "");
    r.cgroup_parent = j.value("cgroupParent", "");
    r.netns_path = j.value("netnsPath", "");
    r.ips = j.value("ips", std::vector<std::string>{});
    r.shm_path = j.value("shmPath", "");
    r.shm_mounted = j.value("shmMounted", false);
    r.pid = j.value("pid", 0);
    r.created_at_ns = j.value("createdAt", int64_t(0));
  } catch (const nlohmann::json::exception &e) {
    return make_error("record of pod sandbox {}: {}", row.id, e.what());
  }
  if (!r.config.ParseFromString(row.config)) return make_error("record of pod sandbox {}: config does not parse", row.id);
  return r;
}

Result<ContainerRecord> container_from_row(const MetadataStore::Row &row) {
  ContainerRecord r;
  r.id = row.id;
  r.sandbox_id = row.sandbox_id;
  try {
    auto j = nlohmann::json::parse(row.record);
    r.name_key = j.at("nameKey").get<std::string>();
    r.state = TRY(parse_state(kContainerStates, j.at("state").get<std::string>(), row.id));
    r.image_id = j.value("imageId", "");
    r.image_ref = j.value("imageRef", "");
    r.image_name = j.value("imageName", "");
    r.stop_signal = j.value("stopSignal", "");
    r.log_path = j.value("logPath", "");
    r.pid = j.value("pid", 0);
    r.created_at_ns = j.value("createdAt", int64_t(0));
    r.started_at_ns = j.value("startedAt", int64_t(0));
    r.finished_at_ns = j.value("finishedAt", int64_t(0));
    r.exit_code = j.value("exitCode", 0);
    r.reason = j.value("reason", "");
    r.message = j.value("message", "");
  } catch (const nlohmann::json::exception &e) {
    return make_error("record of container {}: {}", row.id, e.what());
  }
  if (!r.config.ParseFromString(row.config)) return make_error("record of container {}: config does not parse", row.id);
  return r;
}

runtime::v1::PodSandboxState to_cri(SandboxState state) {
  return state == SandboxState::Ready ? runtime::v1::SANDBOX_READY : runtime::v1::SANDBOX_NOTREADY;
}

runtime::v1::ContainerState to_cri(ContainerState state) {
  switch (state) {
    case ContainerState::Created: return runtime::v1::CONTAINER_CREATED;
    case ContainerState::Running: return runtime::v1::CONTAINER_RUNNING;
    case ContainerState::Exited: return runtime::v1::CONTAINER_EXITED;
    default: return runtime::v1::CONTAINER_UNKNOWN;
  }
}

}  // namespace berth::crid
