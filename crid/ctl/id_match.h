// Ids as people type them: a unique prefix of a pod or container id is as good
// as the id. An id nothing matches is passed on unchanged, so the runtime's
// own NotFound error reaches the user.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "libcontainer/result.h"

namespace berth::cridctl {

// The id `prefix` stands for among `ids`: an exact match, else the only id
// starting with it, else `prefix` itself. An empty or ambiguous prefix is an
// error naming `kind` ("pod", "container").
Result<std::string> match_id_prefix(std::string_view prefix, const std::vector<std::string> &ids,
                                    std::string_view kind);

// True for a full CRI id (64 lowercase hex digits): no listing needed.
bool is_full_id(std::string_view id);

}  // namespace berth::cridctl
