// What this berth binary on this host supports: the runtime-spec "features"
// document (`berth features`), and the host checks other parts share.
#pragma once

#include <nlohmann/json.hpp>

namespace berth {

// The features document (runtime-spec features.md), built from the same
// tables the code that applies a config reads.
nlohmann::ordered_json features_json();

}  // namespace berth
