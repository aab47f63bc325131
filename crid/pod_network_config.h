// crid's settings as netns/'s PodNetwork wants them (one place, so Status and
// the sandbox code see the same CNI dirs).
#pragma once

#include "crid/config.h"
#include "netns/pod_network.h"

namespace berth::crid {

inline netns::PodNetworkConfig pod_network_config(const Config &config) {
  netns::PodNetworkConfig out;
  out.config_dir = config.cni_config_dir;
  out.plugin_dirs = config.cni_plugin_dirs;
  out.cache_dir = config.cni_cache_path();
  return out;
}

}  // namespace berth::crid
