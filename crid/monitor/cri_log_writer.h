// The CRI log format the kubelet reads (its "cri" log parser):
//   2016-10-06T00:17:09.669794202Z stdout F text
// one record per line of container output: RFC3339Nano UTC time, the stream,
// then P for a piece of a line that goes on in the next record, or F for the
// piece that ends the line. Output is written as it arrives, never held back
// waiting for a newline, so a chunk's trailing piece is a P record.
#pragma once

#include <ctime>
#include <string>
#include <string_view>

#include "libcontainer/fd.h"
#include "libcontainer/result.h"

namespace berth::crid::monitor {

enum class Stream { Stdout, Stderr };

// "2016-10-06T00:17:09.669794202Z": always nine fraction digits, so the
// records of one file sort as text.
std::string cri_timestamp(const struct timespec &when);
// The same into a fixed buffer (no allocation, no libc time or printf code);
// returns its length, always kCriTimestampSize.
inline constexpr size_t kCriTimestampSize = 30;
size_t format_cri_timestamp(const struct timespec &when, char (&out)[kCriTimestampSize]);

class CriLogWriter {
 public:
  // Longest piece of a line one record carries (CRI-O's and conmon's 16 KiB);
  // longer lines go out as several P records and a final F.
  static constexpr size_t kMaxRecord = 16 * 1024;

  // An empty path: output is read and dropped.
  explicit CriLogWriter(std::string path) : path_(std::move(path)) {}

  // Opens (O_APPEND|O_CREAT, 0640) the file; its directory must exist.
  Result<void> open();
  // The kubelet renamed the file to rotate it: start a new one at the path.
  Result<void> reopen();

  // Writes the chunk as records stamped `when`. A failed write (disk full, the
  // file gone) drops those records and is retried with the next ones: the
  // container's output is always drained, never left to fill its pipe.
  void write(Stream stream, std::string_view chunk, const struct timespec &when);

  // The last write error, empty when the last write worked.
  const std::string &last_error() const { return last_error_; }

 private:
  void write_record(std::string_view prefix, std::string_view piece);

  std::string path_;
  Fd fd_;
  std::string last_error_;
};

}  // namespace berth::crid::monitor
