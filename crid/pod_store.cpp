#include "crid/pod_store.h"

#include <cerrno>

namespace berth::crid {

namespace {

// Sandbox and container name keys could collide as strings; keep them apart.
std::string sandbox_key(const std::string &name_key) { return "pod/" + name_key; }
std::string container_key(const std::string &name_key) { return "ctr/" + name_key; }

template <typename Map>
Result<std::string> resolve(const Map &map, const std::string &prefix, const char *what) {
  if (prefix.empty()) return std::unexpected(Error{EINVAL, fmt::format("{} id: must not be empty", what)});
  if (map.count(prefix)) return prefix;
  auto it = map.lower_bound(prefix);
  if (it == map.end() || !it->first.starts_with(prefix))
    return std::unexpected(Error{ENOENT, fmt::format("{} \"{}\" not found", what, prefix)});
  auto next = std::next(it);
  if (next != map.end() && next->first.starts_with(prefix))
    return std::unexpected(Error{EINVAL, fmt::format("{} id prefix \"{}\" is ambiguous", what, prefix)});
  return it->first;
}

}  // namespace

Result<std::unique_ptr<PodStore>> PodStore::load(std::shared_ptr<MetadataStore> metadata) {
  std::unique_ptr<PodStore> store(new PodStore(metadata));
  for (const auto &row : TRY(metadata->load_sandboxes())) {
    auto record = TRY(sandbox_from_row(row));
    store->names_[sandbox_key(record.name_key)] = record.id;
    store->sandboxes_.emplace(record.id, std::move(record));
  }
  for (const auto &row : TRY(metadata->load_containers())) {
    auto record = TRY(container_from_row(row));
    store->names_[container_key(record.name_key)] = record.id;
    store->containers_.emplace(record.id, std::move(record));
  }
  return store;
}

Result<void> PodStore::add_sandbox(const SandboxRecord &record) {
  std::lock_guard write(write_mu_);
  auto key = sandbox_key(record.name_key);
  if (auto it = names_.find(key); it != names_.end())
    return std::unexpected(Error{EEXIST, fmt::format("pod sandbox name \"{}\" is already used by pod sandbox {}",
                                                     record.name_key, it->second)});
  TRY(metadata_->put_sandbox(to_row(record), record.created_at_ns));
  std::lock_guard lock(mu_);
  names_[key] = record.id;
  sandboxes_[record.id] = record;
  return {};
}

Result<void> PodStore::add_container(const ContainerRecord &record) {
  std::lock_guard write(write_mu_);
  auto key = container_key(record.name_key);
  if (auto it = names_.find(key); it != names_.end())
    return std::unexpected(Error{EEXIST, fmt::format("container name \"{}\" is already used by container {}",
                                                     record.name_key, it->second)});
  TRY(metadata_->put_container(to_row(record), record.image_id, record.created_at_ns));
  std::lock_guard lock(mu_);
  names_[key] = record.id;
  containers_[record.id] = record;
  return {};
}

Result<void> PodStore::update_sandbox(const SandboxRecord &record) {
  std::lock_guard write(write_mu_);
  TRY(metadata_->put_sandbox(to_row(record), record.created_at_ns));
  std::lock_guard lock(mu_);
  sandboxes_[record.id] = record;
  return {};
}

Result<void> PodStore::update_container(const ContainerRecord &record) {
  std::lock_guard write(write_mu_);
  TRY(metadata_->put_container(to_row(record), record.image_id, record.created_at_ns));
  std::lock_guard lock(mu_);
  containers_[record.id] = record;
  return {};
}

Result<void> PodStore::remove_sandbox(const std::string &id) {
  std::lock_guard write(write_mu_);
  TRY(metadata_->erase_sandbox(id));
  std::lock_guard lock(mu_);
  if (auto it = sandboxes_.find(id); it != sandboxes_.end()) {
    names_.erase(sandbox_key(it->second.name_key));
    sandboxes_.erase(it);
  }
  return {};
}

Result<void> PodStore::remove_container(const std::string &id) {
  std::lock_guard write(write_mu_);
  TRY(metadata_->erase_container(id));
  std::lock_guard lock(mu_);
  if (auto it = containers_.find(id); it != containers_.end()) {
    names_.erase(container_key(it->second.name_key));
    containers_.erase(it);
  }
  return {};
}

std::optional<SandboxRecord> PodStore::sandbox(const std::string &id) const {
  std::lock_guard lock(mu_);
  auto it = sandboxes_.find(id);
  if (it == sandboxes_.end()) return std::nullopt;
  return it->second;
}

std::optional<ContainerRecord> PodStore::container(const std::string &id) const {
  std::lock_guard lock(mu_);
  auto it = containers_.find(id);
  if (it == containers_.end()) return std::nullopt;
  return it->second;
}

std::vector<SandboxRecord> PodStore::sandboxes() const {
  std::lock_guard lock(mu_);
  std::vector<SandboxRecord> out;
  for (const auto &[id, r] : sandboxes_) out.push_back(r);
  return out;
}

std::vector<ContainerRecord> PodStore::containers() const {
  std::lock_guard lock(mu_);
  std::vector<ContainerRecord> out;
  for (const auto &[id, r] : containers_) out.push_back(r);
  return out;
}

std::vector<std::string> PodStore::containers_of(const std::string &sandbox_id) const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (const auto &[id, r] : containers_)
    if (r.sandbox_id == sandbox_id) out.push_back(id);
  return out;
}

Result<std::string> PodStore::resolve_sandbox(const std::string &id_or_prefix) const {
  std::lock_guard lock(mu_);
  return resolve(sandboxes_, id_or_prefix, "pod sandbox");
}

Result<std::string> PodStore::resolve_container(const std::string &id_or_prefix) const {
  std::lock_guard lock(mu_);
  return resolve(containers_, id_or_prefix, "container");
}

std::shared_ptr<std::mutex> PodStore::lock_for(const std::string &id) {
  std::lock_guard lock(mu_);
  auto &weak = locks_[id];
  if (auto held = weak.lock()) return held;
  auto fresh = std::make_shared<std::mutex>();
  weak = fresh;
  // Forget locks nobody holds, so the map does not grow with every id ever seen.
  for (auto it = locks_.begin(); it != locks_.end();)
    it = it->second.expired() ? locks_.erase(it) : std::next(it);
  return fresh;
}

}  // namespace berth::crid
