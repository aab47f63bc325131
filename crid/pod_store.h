// The pod sandboxes and containers crid knows, in memory and in the metadata
// store: every change is written to SQLite before the call returns, so what an
// RPC acknowledged survives a crash. Thread-safe. Also hands out one mutex per
// object, so concurrent RPCs on one pod or container run one after the other
// while different objects proceed in parallel.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "crid/metadata_store.h"
#include "crid/pod_records.h"

namespace berth::crid {

class PodStore {
 public:
  static Result<std::unique_ptr<PodStore>> load(std::shared_ptr<MetadataStore> metadata);

  // Inserts a new record; EEXIST (naming the holder) when its name key is taken.
  Result<void> add_sandbox(const SandboxRecord &record);
  Result<void> add_container(const ContainerRecord &record);
  // Replaces the record with the same id (it must be there).
  Result<void> update_sandbox(const SandboxRecord &record);
  Result<void> update_container(const ContainerRecord &record);
  Result<void> remove_sandbox(const std::string &id);
  Result<void> remove_container(const std::string &id);

  std::optional<SandboxRecord> sandbox(const std::string &id) const;
  std::optional<ContainerRecord> container(const std::string &id) const;
  std::vector<SandboxRecord> sandboxes() const;
  std::vector<ContainerRecord> containers() const;
  std::vector<std::string> containers_of(const std::string &sandbox_id) const;

  // A full id, or a prefix of exactly one id -> the full id. ENOENT when none
  // matches, EINVAL when the prefix is ambiguous; messages name what.
  Result<std::string> resolve_sandbox(const std::string &id_or_prefix) const;
  Result<std::string> resolve_container(const std::string &id_or_prefix) const;

  // The lock of one object (sandbox or container id); lives as long as holders keep it.
  std::shared_ptr<std::mutex> lock_for(const std::string &id);

 private:
  explicit PodStore(std::shared_ptr<MetadataStore> metadata) : metadata_(std::move(metadata)) {}

  std::shared_ptr<MetadataStore> metadata_;
  // Writers hold write_mu_ across their check and their SQLite commit (an
  // fsync under sync_writes=full) and take mu_ only to change the maps, so
  // lookups, which take mu_ alone, never wait for a commit: under load they
  // waited behind every other pod's (docs/performance.md, "Load"). The maps
  // change only under both, so a writer may read them under write_mu_ alone.
  std::mutex write_mu_;
  mutable std::mutex mu_;
  std::map<std::string, SandboxRecord> sandboxes_;
  std::map<std::string, ContainerRecord> containers_;
  std::map<std::string, std::string> names_;  // name key -> id (sandboxes and containers apart by key form)
  std::map<std::string, std::weak_ptr<std::mutex>> locks_;
};

}  // namespace berth::crid
