// The one way resource values reach cgroup files, so every failure names the
// config field it came from and the file it went to:
// "linux.resources.memory.limit: write /sys/fs/cgroup/memory/c1/memory.limit_in_bytes: Device or resource busy".
#pragma once

#include <string>
#include <string_view>

#include "libcontainer/result.h"

namespace berth::cgroups {

// field is the JSON path below linux.resources ("memory.limit").
Result<void> write_resource(std::string_view field, const std::string &file, std::string_view value);

bool file_exists(const std::string &path);

}  // namespace berth::cgroups
