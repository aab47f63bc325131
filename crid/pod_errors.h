// Errors whose errno picks the gRPC code (crid/grpc_status.h) while the
// message is crid's own sentence, not errno's text.
#pragma once

#include <utility>

#include "libcontainer/result.h"

namespace berth::crid {

template <typename... Args>
std::unexpected<Error> coded_error(int code, fmt::format_string<Args...> f, Args &&...args) {
  return std::unexpected(Error{code, fmt::format(f, std::forward<Args>(args)...)});
}

}  // namespace berth::crid
