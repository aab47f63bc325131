// The CRI log format the monitor writes, one record a line:
//   2024-05-01T10:00:00.123456789Z stdout F hello world
// (RFC 3339 timestamp, stream, tag P for a partial line or F for the full
// line's last piece, content). Reading it back the way the kubelet does:
// partial records joined into one line, a timestamp only at a line's start.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "libcontainer/result.h"

namespace berth::cridctl {

enum class LogStream { Stdout, Stderr };

struct LogRecord {
  int64_t time_ns = 0;  // since the epoch
  LogStream stream = LogStream::Stdout;
  bool partial = false;
  std::string content;
};

// One line of a log file, without its newline.
Result<LogRecord> parse_cri_log_line(std::string_view line);

// "2024-05-01T10:00:00.5+02:00" and the like, to nanoseconds since the epoch.
Result<int64_t> parse_rfc3339(std::string_view text);

// The kubelet's output timestamp: UTC, always nine fractional digits.
std::string format_log_timestamp(int64_t ns);

struct LogOptions {
  bool timestamps = false;
  std::optional<int64_t> since_ns;       // skip records older than this
  std::optional<LogStream> only_stream;  // --stream stdout|stderr
};

// Turns records into the bytes each stream prints.
class LogWriter {
 public:
  using Sink = std::function<void(LogStream, std::string_view)>;
  LogWriter(LogOptions options, Sink sink) : options_(options), sink_(std::move(sink)) {}

  void write(const LogRecord &record);

 private:
  LogOptions options_;
  Sink sink_;
  bool at_line_start_[2] = {true, true};
};

// Byte offset where the last `lines` lines of `text` begin (0 when it has
// fewer); a final line without its newline counts as a line.
size_t tail_offset(std::string_view text, size_t lines);

}  // namespace berth::cridctl
