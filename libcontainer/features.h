// What this berth binary on this host supports: the runtime-spec "features"
// document (`berth features`), and the host checks other parts share.
#pragma once

#include <nlohmann/json.hpp>

namespace berth {

// The LSMs a process label can be set for (checked on the host, not in a container).
bool apparmor_enabled();
bool selinux_enabled();

// The features document (runtime-spec features.md), built from the same
// tables the code that applies a config reads.
nlohmann::ordered_json features_json();

}  // namespace berth
