// The CNI result cache: what ADD used and returned, kept on disk so that DEL
// gets exactly that (config list, runtime args, result) even after the config
// dir changed or the daemon restarted. One file per network and container:
// <dir>/<network name>-<container id>, written before ADD (result null) and
// again with the result, removed after a successful DEL.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "libcontainer/result.h"
#include "netns/cni_invoke.h"

namespace berth::netns {

struct CniCacheEntry {
  std::string network_name;
  nlohmann::json config;  // the config list's JSON, as ADD used it
  CniRuntimeConf runtime;
  nlohmann::json result;  // ADD's result; null while ADD has not finished
};

std::string cache_path(const std::string &dir, const std::string &network, const std::string &container_id);

// Writes the entry atomically (temp file, fsync, rename), making dir if needed.
Result<void> write_cache(const std::string &dir, const CniCacheEntry &entry);

// The entries of container_id in dir, one per network; none when there are none.
Result<std::vector<CniCacheEntry>> read_cache(const std::string &dir, const std::string &container_id);

// Removes the entry; a missing one is fine.
Result<void> remove_cache(const std::string &dir, const std::string &network, const std::string &container_id);

// The JSON form of an entry, and back (errors name source).
nlohmann::json cache_to_json(const CniCacheEntry &entry);
Result<CniCacheEntry> cache_from_json(const nlohmann::json &json, const std::string &source);

}  // namespace berth::netns
