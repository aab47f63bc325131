// `berth update --l3-cache-schema / --mem-bw-schema`: new schemas for the
// resctrl group a container already has, as runc's update sets them.
#pragma once

#include <string>

#include "libcontainer/intel_rdt.h"
#include "libcontainer/result.h"

namespace berth {

struct RdtSchemaUpdate {
  std::string l3_cache_schema;  // "L3:0=f0;1=f" (may hold several lines)
  std::string mem_bw_schema;    // "MB:0=50"
};

// Checks the host has what each schema needs (info/L3, info/MB under root),
// then rewrites the group's "schemata": each resource given replaces its line,
// the others are kept as they were (what resctrl does with a partial write).
// A group shared with others (a closID this container joined but did not
// make) is refused: changing it would change every container in it.
Result<void> update_intel_rdt(const RdtGroup *g, const RdtSchemaUpdate &u, const std::string &root = kResctrlRoot);

// The merge itself: existing schemata text with the given lines replacing the
// lines of the same resource, new resources appended. Lines come out trimmed.
std::string merge_schemata(std::string_view existing, const std::vector<std::string> &lines);

}  // namespace berth
