// linux.sysctl: written through the container's /proc/sys.
#pragma once

#include <map>
#include <string>

#include "libcontainer/result.h"

namespace berth {

// Writes each value to /proc/sys/<key with '.' as '/'>, in key order.
Result<void> apply_sysctls(const std::map<std::string, std::string> &sysctl);

}  // namespace berth
