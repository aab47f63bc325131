// Runtime logging: errors and warnings go to stderr, and to --log FILE in the
// --log-format (text, or runc-style JSON lines that containerd and podman read).
#pragma once

#include <string>
#include <string_view>

namespace berth::log {

enum class Format { Text, Json };
enum class Level { Debug, Info, Warning, Error };

// False (errno set) when the log file cannot be opened.
bool init(const std::string &path, Format format, bool debug);
void write(Level level, std::string_view message);

inline void debug(std::string_view m) { write(Level::Debug, m); }
inline void warning(std::string_view m) { write(Level::Warning, m); }
inline void error(std::string_view m) { write(Level::Error, m); }

}  // namespace berth::log
