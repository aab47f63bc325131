// UpdateContainerResources: new cgroup limits for a running container, applied
// by the OCI runtime (`RUNTIME update --resources - ID`), which also records
// them in its state.
#pragma once

#include <nlohmann/json.hpp>

#include "crid/runtime_target.h"
#include "libcontainer/result.h"

namespace berth::crid {

// resources: OCI linux.resources JSON (linux_resources_json() of the CRI
// request, crid/container_spec.h). Errors carry the runtime's own message.
Result<void> update_container_resources(const RuntimeTarget &target, const nlohmann::json &resources);

}  // namespace berth::crid
