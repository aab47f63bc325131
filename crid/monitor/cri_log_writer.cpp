#include "crid/monitor/cri_log_writer.h"

#include <fcntl.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

namespace berth::crid::monitor {

namespace {

void put_digits(char *at, uint64_t value, int width) {
  for (int i = width - 1; i >= 0; i--, value /= 10) at[i] = static_cast<char>('0' + value % 10);
}

// Civil date of a day count since 1970-01-01 (H. Hinnant's days_from_civil,
// inverted). By hand, not gmtime_r + strftime + snprintf: those bring in time
// zone loading, locales and printf, pages a monitor would otherwise keep
// resident for every container that writes a line (issue 9: < 1 MiB each).
void civil_from_days(int64_t z, int64_t &y, unsigned &m, unsigned &d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int64_t>(yoe) + era * 400 + (m <= 2);
}

}  // namespace

size_t format_cri_timestamp(const struct timespec &when, char (&out)[kCriTimestampSize]) {
  int64_t secs = when.tv_sec;
  int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  int64_t rem = secs - days * 86400;
  int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  if (y < 0) y = 0;  // the clock is not before year 0; keep the fixed width
  if (y > 9999) y = 9999;
  //               0123456789012345678901234567890
  std::memcpy(out, "0000-00-00T00:00:00.000000000Z", kCriTimestampSize);
  put_digits(out, static_cast<uint64_t>(y), 4);
  put_digits(out + 5, m, 2);
  put_digits(out + 8, d, 2);
  put_digits(out + 11, static_cast<uint64_t>(rem / 3600), 2);
  put_digits(out + 14, static_cast<uint64_t>(rem / 60 % 60), 2);
  put_digits(out + 17, static_cast<uint64_t>(rem % 60), 2);
  put_digits(out + 20, static_cast<uint64_t>(when.tv_nsec), 9);
  return kCriTimestampSize;
}

std::string cri_timestamp(const struct timespec &when) {
  char buf[kCriTimestampSize];
  return std::string(buf, format_cri_timestamp(when, buf));
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
  // On the stack: the loop's steady state allocates nothing.
  char partial_buf[kCriTimestampSize + 10], full_buf[kCriTimestampSize + 10];
  char stamp[kCriTimestampSize];
  format_cri_timestamp(when, stamp);
  std::memcpy(partial_buf, stamp, kCriTimestampSize);
  std::memcpy(partial_buf + kCriTimestampSize, stream == Stream::Stdout ? " stdout P " : " stderr P ", 10);
  std::memcpy(full_buf, partial_buf, sizeof full_buf);
  full_buf[sizeof full_buf - 2] = 'F';
  std::string_view partial(partial_buf, sizeof partial_buf), full(full_buf, sizeof full_buf);
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
