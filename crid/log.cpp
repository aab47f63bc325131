#include "crid/log.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <ctime>

namespace berth::crid::log {

namespace {

std::atomic<Level> g_level{Level::Info};

const char *name(Level level) {
  switch (level) {
    case Level::Debug: return "debug";
    case Level::Info: return "info";
    case Level::Warning: return "warning";
    case Level::Error: return "error";
  }
  return "info";
}

std::string now_rfc3339() {
  auto now = std::chrono::system_clock::now();
  auto secs = std::chrono::system_clock::to_time_t(now);
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() % 1000000;
  struct tm tm {};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:06}Z", buf, micros);
}

}  // namespace

Result<Level> parse_level(std::string_view text) {
  if (text == "debug") return Level::Debug;
  if (text == "info") return Level::Info;
  if (text == "warn" || text == "warning") return Level::Warning;
  if (text == "error") return Level::Error;
  return make_error("unknown log level \"{}\" (expected debug, info, warning or error)", text);
}

void set_level(Level level) { g_level = level; }

bool enabled(Level level) { return level >= g_level.load(); }

void write(Level level, std::string_view message) {
  if (!enabled(level)) return;
  // One write(2) per line keeps lines from concurrent threads whole.
  std::string line = fmt::format("time=\"{}\" level={} msg=\"", now_rfc3339(), name(level));
  for (char c : message) {
    if (c == '"' || c == '\\') line += '\\';
    if (c == '\n') {
      line += "\\n";
      continue;
    }
    line += c;
  }
  line += "\"\n";
  (void)!::write(STDERR_FILENO, line.data(), line.size());
}

}  // namespace berth::crid::log
