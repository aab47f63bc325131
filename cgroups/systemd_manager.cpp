#include "cgroups/systemd_manager.h"

#include <unistd.h>

#include "cgroups/cgroupfs.h"

namespace berth::cgroups {

SystemdManager::SystemdManager(SystemdUnit unit, std::unique_ptr<SystemdBus> bus, std::unique_ptr<Manager> fs,
                               bool started)
    : unit_(std::move(unit)), bus_(std::move(bus)), fs_(std::move(fs)), started_(started) {}

Result<SystemdBus *> SystemdManager::bus() {
  if (!bus_) bus_ = TRY(SystemdBus::connect());
  return bus_.get();
}

Result<Manager *> SystemdManager::fs() {
  if (!fs_) return make_error("systemd unit {} has not been started", unit_.name);
  return fs_.get();
}

Result<std::vector<UnitProperty>> SystemdManager::resource_properties(const Resources &r) {
  auto devices = read_text("/proc/devices");
  return systemd_resource_properties(r, devices ? *devices : std::string());
}

std::vector<UnitProperty> SystemdManager::device_properties(const std::vector<DeviceCgroupRule> &rules) {
  auto devices = read_text("/proc/devices");
  return systemd_device_properties(rules, devices ? *devices : std::string());
}

Result<void> SystemdManager::create() { return {}; }

Result<void> SystemdManager::add_process(pid_t pid) {
  if (started_) return TRY(fs())->add_process(pid);
  std::vector<UnitProperty> props;
  props.push_back({"Description", fmt::format("berth container {}", unit_.name)});
  if (unit_.is_slice()) {
    props.push_back({"Wants", std::vector<std::string>{unit_.slice}});
  } else {
    props.push_back({"Slice", unit_.slice});
    // The container may make cgroups of its own below the scope.
    props.push_back({"Delegate", true});
    props.push_back({"PIDs", std::vector<uint32_t>{static_cast<uint32_t>(pid)}});
  }
  // Without these systemd would not stop the scope before shutdown targets
  // pull the rest of the system down, and a container outlives nothing.
  props.push_back({"DefaultDependencies", false});
  for (const char *acct : {"MemoryAccounting", "CPUAccounting", "IOAccounting", "TasksAccounting"})
    props.push_back({acct, true});
  if (pending_) {
    auto more = TRY(resource_properties(*pending_));
    props.insert(props.end(), more.begin(), more.end());
  }
  if (pending_devices_) {
    auto more = device_properties(*pending_devices_);
    props.insert(props.end(), more.begin(), more.end());
  }
  auto *b = TRY(bus());
  TRY(b->start_transient_unit(unit_.name, props));
  started_ = true;
  auto cgroup = TRY_CTX(b->control_group(unit_.name), "--systemd-cgroup");
  fs_ = TRY(make_manager(cgroup, unit_.name));
  // A slice takes no PIDs property: the init is placed by hand. On a v1 or
  // hybrid host systemd places it only in the hierarchies it manages.
  TRY(fs_->create());
  TRY(fs_->add_process(pid));
  if (pending_) {
    TRY(fs_->apply(*pending_));
    pending_.reset();
  }
  if (pending_devices_) {
    TRY(fs_->set_devices(*pending_devices_));
    pending_devices_.reset();
  }
  return {};
}

Result<int> SystemdManager::open_v2_dir() { return -1; }

Result<std::vector<pid_t>> SystemdManager::pids() {
  if (!fs_) return std::vector<pid_t>{};
  return fs_->pids();
}

Result<void> SystemdManager::kill_all(int signal) {
  if (!fs_) return {};
  return fs_->kill_all(signal);
}

Result<void> SystemdManager::destroy() {
  if (started_) {
    auto b = bus();
    // Without systemd there is no unit left to stop; the files still go.
    if (b) TRY((*b)->stop_unit(unit_.name));
  }
  if (fs_) TRY(fs_->destroy());
  return {};
}

Result<void> SystemdManager::freeze() { return TRY(fs())->freeze(); }
Result<void> SystemdManager::thaw() { return TRY(fs())->thaw(); }
Result<FreezerState> SystemdManager::freezer_state() { return TRY(fs())->freezer_state(); }

Result<void> SystemdManager::apply(const Resources &r) {
  if (!started_) {
    pending_ = r;
    // Checked now, so a bad value fails before anything is started.
    TRY(resource_properties(r));
    return {};
  }
  TRY(TRY(bus())->set_unit_properties(unit_.name, TRY(resource_properties(r))));
  return TRY(fs())->apply(r);
}

Result<void> SystemdManager::set_devices(const std::vector<DeviceCgroupRule> &rules) {
  if (!started_) {
    pending_devices_ = rules;
    return {};
  }
  if (auto props = device_properties(rules); !props.empty()) TRY(TRY(bus())->set_unit_properties(unit_.name, props));
  return TRY(fs())->set_devices(rules);
}

Result<Stats> SystemdManager::stats() { return TRY(fs())->stats(); }
Result<OomWatch> SystemdManager::watch_oom() { return TRY(fs())->watch_oom(); }

nlohmann::json SystemdManager::to_json() const {
  nlohmann::json j = {{"kind", "systemd"}, {"slice", unit_.slice}, {"unit", unit_.name}, {"started", started_}};
  if (fs_) j["cgroupfs"] = fs_->to_json();
  return j;
}

Result<std::unique_ptr<Manager>> SystemdManager::from_json(const nlohmann::json &j) {
  if (!j.contains("unit") || !j["unit"].is_string() || !j.contains("slice") || !j["slice"].is_string())
    return make_error("cgroup state: \"unit\" or \"slice\" is missing");
  SystemdUnit unit{j["slice"].get<std::string>(), j["unit"].get<std::string>()};
  if (unit.name.empty() || unit.name.find('/') != std::string::npos)
    return make_error("cgroup state: bad systemd unit name \"{}\"", unit.name);
  std::unique_ptr<Manager> fs;
  if (j.contains("cgroupfs")) {
    if (j["cgroupfs"].value("kind", "") == "systemd") return make_error("cgroup state: nested systemd manager");
    fs = TRY(manager_from_json(j["cgroupfs"]));
  }
  bool started = j.value("started", false);
  return std::make_unique<SystemdManager>(std::move(unit), nullptr, std::move(fs), started);
}

Result<std::unique_ptr<Manager>> make_systemd_manager(const std::string &cgroups_path, const std::string &id) {
  auto unit = TRY_CTX(parse_systemd_cgroups_path(cgroups_path, id), "config.json");
  auto bus = TRY(SystemdBus::connect());
  return std::make_unique<SystemdManager>(std::move(unit), std::move(bus), nullptr, false);
}

}  // namespace berth::cgroups
