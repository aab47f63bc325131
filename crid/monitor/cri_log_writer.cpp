#include "crid/monitor/cri_log_writer.h"

#include <fcntl.h>
#include <sys/uio.h>

#include <cerrno>

namespace berth::crid::monitor {

std::string cri_timestamp(const struct timespec &when) {
  struct tm tm;
  ::gmtime_r(&when.tv_sec, &tm);
  char buf[64];
  size_t n = ::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  n += ::snprintf(buf + n, sizeof buf - n, ".%09ldZ", static_cast<long>(when.tv_nsec));
  return std::string(buf, n);
}

Result<void> CriLogWriter::open() {
  if (path_.empty()) return {};
  Fd fd(::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640));
  if (!fd) return sys_error(errno, "open log file {}", path_);
  fd_ = std::move(fd);
  return {};
}

Result<void> CriLogWriter::reopen() {
  fd_.reset();
  return open();
}

void CriLogWriter::write(Stream stream, std::string_view chunk, const struct timespec &when) {
  if (path_.empty() || chunk.empty()) return;
  if (!fd_) {
    // A previous open failed (the directory was missing, or full): try again.
    if (auto r = open(); !r) {
      last_error_ = r.error().message;
      return;
    }
  }
  std::string stamp = cri_timestamp(when);
  std::string partial = stamp + (stream == Stream::Stdout ? " stdout P " : " stderr P ");
  std::string full = partial;
  full[full.size() - 2] = 'F';
  last_error_.clear();
  while (!chunk.empty()) {
    size_t nl = chunk.find('\n');
    std::string_view line = chunk.substr(0, nl);
    bool ends = nl != std::string_view::npos;
    while (line.size() > kMaxRecord) {
      write_record(partial, line.substr(0, kMaxRecord));
      line.remove_prefix(kMaxRecord);
    }
    write_record(ends ? full : partial, line);
    chunk.remove_prefix(ends ? nl + 1 : chunk.size());
  }
}

void CriLogWriter::write_record(std::string_view prefix, std::string_view piece) {
  struct iovec iov[3] = {
      {const_cast<char *>(prefix.data()), prefix.size()},
      {const_cast<char *>(piece.data()), piece.size()},
      {const_cast<char *>("\n"), 1},
  };
  size_t want = prefix.size() + piece.size() + 1;
  ssize_t n;
  do {
    n = ::writev(fd_.get(), iov, 3);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    last_error_ = fmt::format("write log file {}: {}", path_, std::strerror(errno));
  } else if (static_cast<size_t>(n) < want) {
    // Disk full part way: end the torn record so the next one starts a line.
    ssize_t ignored = ::write(fd_.get(), "\n", 1);
    (void)ignored;
    last_error_ = fmt::format("write log file {}: short write", path_);
  }
}

}  // namespace berth::crid::monitor
