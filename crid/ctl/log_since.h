// logs --since: an RFC 3339 time ("2024-05-01T10:00:00Z"), a relative Go
// duration back from now ("42m", "1h30m", "10s"), or Unix seconds.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include "libcontainer/result.h"

namespace berth::cridctl {

// Go's time.ParseDuration for non-negative durations: "1h30m", "2.5s", "300ms".
Result<int64_t> parse_go_duration(std::string_view text);

// The --since value as nanoseconds since the epoch.
Result<int64_t> parse_since(std::string_view text, std::chrono::system_clock::time_point now);

}  // namespace berth::cridctl
