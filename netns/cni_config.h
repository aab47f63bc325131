// CNI network configuration lists (CNI spec 1.0, "Section 1"): the first one
// found in the config directory is the pod network, as libcni picks it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "libcontainer/result.h"

namespace berth::netns {

struct CniPlugin {
  std::string type;     // the binary's name in the plugin dirs
  nlohmann::json conf;  // the plugin's own object, as written

  // Does the plugin declare "capabilities": {name: true}?
  bool has_capability(std::string_view name) const;
};

struct CniConfigList {
  std::string name;
  std::string cni_version;
  bool disable_check = false;
  std::vector<CniPlugin> plugins;
  std::string source;   // the file it came from ("" when parsed from text)
  nlohmann::json raw;   // the list as a whole, kept for the result cache
};

// Parses a config list ({"name", "cniVersion", "plugins": [...]}) or a single
// plugin config ({"name", "type", ...}, made a list of one). Errors name
// source and the field.
Result<CniConfigList> parse_config_text(std::string_view text, const std::string &source);
Result<CniConfigList> parse_config(const nlohmann::json &json, const std::string &source);

// The config files of dir in libcni's order: *.conflist, *.conf and *.json,
// sorted by name. A missing dir has none.
Result<std::vector<std::string>> config_files(const std::string &dir);

// The first config of dir, nullopt when dir has none. A file that cannot be
// read or parsed is an error naming it (rather than silently using the next).
Result<std::optional<CniConfigList>> load_first_config(const std::string &dir);

}  // namespace berth::netns
