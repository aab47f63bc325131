// gRPC's wire details above HTTP/2 that need no connection: the 5-byte
// length prefix of each message, the grpc-timeout header, and the
// percent-encoding of grpc-message. Pure functions, unit tested.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "libcontainer/result.h"

namespace berth::crid::rpc {

// The prefix is one flag byte (1: compressed) and the length, big-endian.
constexpr size_t kFramePrefix = 5;

// A message as it goes in a DATA frame: prefix, then the bytes.
std::string frame_message(std::string_view payload);

// The one message of a unary or server-streaming request's body. Errors
// (EINVAL) name what is wrong: no message, a cut message, more than one,
// compression (crid never offers an encoding), or more than max_size bytes
// (EMSGSIZE).
Result<std::string> single_message(std::string_view body, size_t max_size);

// grpc-timeout: 1 to 8 digits and a unit, H M S m u or n. nullopt when the
// value does not follow that form (the call then runs without a deadline,
// as gRPC servers treat a header they cannot read).
std::optional<std::chrono::nanoseconds> parse_timeout(std::string_view value);

// grpc-message: bytes outside printable ASCII, and '%', as %XX.
std::string percent_encode(std::string_view message);

}  // namespace berth::crid::rpc
