// Freezing a cgroup: the v1 freezer controller (freezer.state) and the v2 core
// (cgroup.freeze, with cgroup.events reporting when every task has stopped).
#pragma once

#include <string>

#include "cgroups/manager.h"

namespace berth::cgroups {

Result<void> freeze_v1(const std::string &dir);
Result<void> thaw_v1(const std::string &dir);
Result<FreezerState> freezer_state_v1(const std::string &dir);

Result<void> freeze_v2(const std::string &dir);
Result<void> thaw_v2(const std::string &dir);
Result<FreezerState> freezer_state_v2(const std::string &dir);

}  // namespace berth::cgroups
