// crid's log: one line per event on stderr (journald stores it under the unit),
// "time=... level=... msg=...", filtered by --log-level. Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include <fmt/core.h>

#include "libcontainer/result.h"

namespace berth::crid::log {

enum class Level { Debug, Info, Warning, Error };

// Accepts debug, info, warn/warning, error (case as given).
Result<Level> parse_level(std::string_view name);
void set_level(Level level);
bool enabled(Level level);
void write(Level level, std::string_view message);

template <typename... Args>
void debug(fmt::format_string<Args...> f, Args &&...args) {
  if (enabled(Level::Debug)) write(Level::Debug, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void info(fmt::format_string<Args...> f, Args &&...args) {
  if (enabled(Level::Info)) write(Level::Info, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void warning(fmt::format_string<Args...> f, Args &&...args) {
  if (enabled(Level::Warning)) write(Level::Warning, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void error(fmt::format_string<Args...> f, Args &&...args) {
  write(Level::Error, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace berth::crid::log
