// The one table of signal names, used by `kill` and by `features`.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace berth {

// "TERM", "SIGTERM", "15", "RTMIN+3" -> signal number.
std::optional<int> parse_signal(std::string_view text);
std::vector<std::string> signal_names();

}  // namespace berth
