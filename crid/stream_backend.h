// The streaming server's backend in crid: the runtime backend
// (crid/streaming/runtime_backend.h) with container and pod ids resolved
// through PodManager's records.
#pragma once

#include "crid/config.h"
#include "crid/pod_manager.h"
#include "crid/streaming/runtime_backend.h"

namespace berth::crid {

// Per container: the runtime binary and --root of its pod's handler, and its
// monitor's socket dir. Per pod: the pinned netns, the host's for host-network
// pods, else the infra process's.
streaming::RuntimeBackendConfig stream_backend_config(const Config &config, PodManager &pods);

}  // namespace berth::crid
