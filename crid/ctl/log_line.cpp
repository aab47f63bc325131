#include "crid/ctl/log_line.h"

#include <charconv>
#include <ctime>

#include <fmt/core.h>

namespace berth::cridctl {

namespace {

bool digits(std::string_view s, size_t pos, size_t n, int &out) {
  if (pos + n > s.size()) return false;
  auto [end, ec] = std::from_chars(s.data() + pos, s.data() + pos + n, out);
  return ec == std::errc() && end == s.data() + pos + n;
}

}  // namespace

Result<int64_t> parse_rfc3339(std::string_view t) {
  int year, mon, day, hour, min, sec;
  if (!digits(t, 0, 4, year) || t.size() < 19 || t[4] != '-' || !digits(t, 5, 2, mon) || t[7] != '-' ||
      !digits(t, 8, 2, day) || (t[10] != 'T' && t[10] != 't') || !digits(t, 11, 2, hour) || t[13] != ':' ||
      !digits(t, 14, 2, min) || t[16] != ':' || !digits(t, 17, 2, sec))
    return make_error("timestamp \"{}\": not RFC 3339", t);
  size_t pos = 19;
  int64_t frac_ns = 0;
  if (pos < t.size() && t[pos] == '.') {
    ++pos;
    size_t n = 0;
    int64_t scale = 100000000;
    while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') {
      if (n < 9) frac_ns += (t[pos] - '0') * scale;
      scale /= 10;
      ++pos;
      ++n;
    }
    if (n == 0) return make_error("timestamp \"{}\": empty fraction", t);
  }
  int64_t offset = 0;
  if (pos < t.size() && (t[pos] == 'Z' || t[pos] == 'z')) {
    ++pos;
  } else if (pos < t.size() && (t[pos] == '+' || t[pos] == '-')) {
    int oh, om;
    if (!digits(t, pos + 1, 2, oh) || pos + 3 >= t.size() || t[pos + 3] != ':' || !digits(t, pos + 4, 2, om))
      return make_error("timestamp \"{}\": bad zone offset", t);
    offset = (oh * 3600 + om * 60) * (t[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return make_error("timestamp \"{}\": no zone", t);
  }
  if (pos != t.size()) return make_error("timestamp \"{}\": trailing text", t);
  struct tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = mon - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = min;
  tm.tm_sec = sec;
  int64_t secs = static_cast<int64_t>(timegm(&tm)) - offset;
  return secs * 1000000000 + frac_ns;
}

Result<LogRecord> parse_cri_log_line(std::string_view line) {
  auto sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) return make_error("log line \"{}\": no stream after the timestamp", line);
  LogRecord r;
  r.time_ns = TRY(parse_rfc3339(line.substr(0, sp1)));
  auto sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return make_error("log line \"{}\": no tag after the stream", line);
  std::string_view stream = line.substr(sp1 + 1, sp2 - sp1 - 1);
  if (stream == "stdout") r.stream = LogStream::Stdout;
  else if (stream == "stderr") r.stream = LogStream::Stderr;
  else return make_error("log line \"{}\": unknown stream \"{}\"", line, stream);
  auto sp3 = line.find(' ', sp2 + 1);
  // An empty full line is written as "... stdout F" by some runtimes.
  std::string_view tags = line.substr(sp2 + 1, sp3 == std::string_view::npos ? std::string_view::npos : sp3 - sp2 - 1);
  // Tags are ':'-separated; the first says partial or full.
  std::string_view first = tags.substr(0, tags.find(':'));
  if (first == "P") r.partial = true;
  else if (first != "F") return make_error("log line \"{}\": unknown tag \"{}\"", line, tags);
  if (sp3 != std::string_view::npos) r.content = std::string(line.substr(sp3 + 1));
  return r;
}

std::string format_log_timestamp(int64_t ns) {
  int64_t secs = ns / 1000000000, frac = ns % 1000000000;
  if (frac < 0) {
    frac += 1000000000;
    --secs;
  }
  time_t t = static_cast<time_t>(secs);
  struct tm tm;
  gmtime_r(&t, &tm);
  char base[32];
  strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:09d}Z", base, frac);
}

void LogWriter::write(const LogRecord &r) {
  if (options_.since_ns && r.time_ns < *options_.since_ns) return;
  if (options_.only_stream && r.stream != *options_.only_stream) return;
  bool &line_start = at_line_start_[r.stream == LogStream::Stdout ? 0 : 1];
  std::string out;
  if (options_.timestamps && line_start) out = format_log_timestamp(r.time_ns) + " ";
  out += r.content;
  if (!r.partial) out += '\n';
  line_start = !r.partial;
  sink_(r.stream, out);
}

size_t tail_offset(std::string_view text, size_t lines) {
  if (lines == 0) return text.size();
  size_t end = text.size();
  if (end > 0 && text[end - 1] == '\n') --end;  // the last line's own newline
  size_t seen = 0;
  for (size_t i = end; i > 0; --i) {
    if (text[i - 1] == '\n' && ++seen == lines) return i;
  }
  return 0;
}

}  // namespace berth::cridctl
