// process.rlimits: checked by the runtime before clone, applied by the
// container's init (still root, before it changes uid and drops capabilities).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "libcontainer/result.h"
#include "libcontainer/spec.h"

namespace berth {

// The resource number for "RLIMIT_NOFILE" etc., or nullopt for a name this
// table does not know.
std::optional<int> rlimit_from_name(std::string_view name);

// Every name the table knows, RLIMIT_CPU .. RLIMIT_RTTIME in kernel order
// (for `berth features`).
std::vector<std::string> rlimit_names();

// Before clone: every type known, no type twice, soft <= hard. Errors name
// the JSON path: `process.rlimits[2].type: unknown rlimit "RLIMIT_FOO"`.
Result<void> validate_rlimits(const std::vector<Rlimit> &rlimits);

// In the init: set each limit on the calling process, in order. A limit the
// process may not raise fails with an error saying which limit, what was
// asked, what the current hard limit is and that CAP_SYS_RESOURCE is needed.
Result<void> apply_rlimits(const std::vector<Rlimit> &rlimits);

}  // namespace berth
