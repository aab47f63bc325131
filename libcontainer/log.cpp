#include "libcontainer/log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>

#include <nlohmann/json.hpp>

#include "libcontainer/state.h"

namespace berth::log {

namespace {
int g_fd = -1;
Format g_format = Format::Text;
bool g_debug = false;

const char *level_name(Level l) {
  switch (l) {
    case Level::Debug: return "debug";
    case Level::Info: return "info";
    case Level::Warning: return "warning";
    case Level::Error: return "error";
  }
  return "info";
}
}  // namespace

bool init(const std::string &path, Format format, bool debug) {
  g_format = format;
  g_debug = debug;
  if (path.empty()) return true;
  g_fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  return g_fd >= 0;
}

void write(Level level, std::string_view message) {
  if (level == Level::Debug && !g_debug) return;
  if (level != Level::Debug || g_fd < 0) {
    std::string line = level == Level::Error ? fmt::format("berth: {}\n", message)
                                             : fmt::format("berth: {}: {}\n", level_name(level), message);
    (void)!::write(STDERR_FILENO, line.data(), line.size());
  }
  if (g_fd < 0) return;
  std::string line;
  if (g_format == Format::Json)
    line = nlohmann::json{{"level", level_name(level)}, {"msg", message}, {"time", now_rfc3339()}}.dump(
               -1, ' ', false, nlohmann::json::error_handler_t::replace) +
           "\n";
  else
    // logrus quotes msg with Go's %q: quotes, backslashes, newlines escaped
    // (a JSON string is the same for these), so each entry stays one line.
    line = fmt::format("time=\"{}\" level={} msg={}\n", now_rfc3339(), level_name(level),
                       nlohmann::json(message).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  (void)!::write(g_fd, line.data(), line.size());
}

}  // namespace berth::log
