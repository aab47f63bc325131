// Invoking a CNI config list's plugins (CNI spec 1.0 "Section 3/4"): the
// CNI_* environment, each plugin's stdin config (name, cniVersion,
// prevResult chaining, runtimeConfig for declared capabilities), ADD in
// order, DEL in reverse order, CHECK, VERSION; a plugin's error object
// turned into an error naming the plugin.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "libcontainer/result.h"
#include "netns/cni_config.h"

namespace berth::netns {

// What the runtime tells every plugin about the container.
struct CniRuntimeConf {
  std::string container_id;  // CNI_CONTAINERID
  std::string netns;         // CNI_NETNS: the pinned namespace's path
  std::string ifname = "eth0";
  std::vector<std::pair<std::string, std::string>> args;  // CNI_ARGS, in order
  // Capability arguments ({"portMappings": [...]}): each goes into the
  // runtimeConfig of the plugins whose capabilities declare it.
  nlohmann::json capability_args = nlohmann::json::object();
};

struct CniExecConf {
  std::vector<std::string> plugin_dirs;  // searched in order; also CNI_PATH
  std::chrono::milliseconds timeout{std::chrono::seconds(60)};  // per plugin run
};

// The plugin binary for type: the first dir holding an executable of that name.
Result<std::string> find_plugin(const std::string &type, const std::vector<std::string> &dirs);

// The stdin config for one plugin of list: its own object with the list's
// name and cniVersion, prevResult unless null, and runtimeConfig holding the
// capability args the plugin declares (and only those).
nlohmann::json plugin_stdin(const CniConfigList &list, const CniPlugin &plugin, const nlohmann::json &prev_result,
                            const nlohmann::json &capability_args);

// "K1=V1;K2=V2", CNI_ARGS's format.
std::string cni_args_string(const std::vector<std::pair<std::string, std::string>> &args);

// The plugin's environment: base (the daemon's, for PATH: portmap runs
// iptables) without any CNI_* of its own, then the CNI_* variables.
std::vector<std::string> plugin_env(std::string_view command, const CniRuntimeConf &rt,
                                    const std::vector<std::string> &plugin_dirs,
                                    const std::vector<std::string> &base);

// -1, 0, 1 as version a is older than, equal to, newer than b ("0.4.0" < "1.0.0").
int compare_versions(std::string_view a, std::string_view b);

// ADD through the list; returns the last plugin's result (raw JSON). When a
// plugin fails, DEL runs (reverse order) on the plugins ADD has run, the
// failed one included, before the ADD error is returned.
Result<nlohmann::json> add_network_list(const CniConfigList &list, const CniRuntimeConf &rt,
                                        const CniExecConf &exec);

// DEL through the list in reverse order, with cached_result (null when none)
// as prevResult for lists of cniVersion 0.4.0 or later. Every plugin is
// asked even when one fails; the first failure is returned.
Result<void> del_network_list(const CniConfigList &list, const CniRuntimeConf &rt, const CniExecConf &exec,
                              const nlohmann::json &cached_result);

// CHECK through the list (cniVersion 0.4.0 or later, unless disableCheck).
Result<void> check_network_list(const CniConfigList &list, const CniRuntimeConf &rt, const CniExecConf &exec,
                                const nlohmann::json &cached_result);

// VERSION: the spec versions the plugin of type supports.
Result<std::vector<std::string>> plugin_versions(const std::string &type, std::string_view cni_version,
                                                 const CniExecConf &exec);

}  // namespace berth::netns
