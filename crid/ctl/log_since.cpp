#include "crid/ctl/log_since.h"

#include <charconv>
#include <cstdlib>
#include <string>

#include "crid/ctl/log_line.h"

namespace berth::cridctl {

Result<int64_t> parse_go_duration(std::string_view text) {
  if (text.empty()) return make_error("duration \"\": empty");
  static const std::pair<std::string_view, double> units[] = {
      {"ns", 1}, {"us", 1e3}, {"µs", 1e3}, {"ms", 1e6}, {"s", 1e9}, {"m", 60e9}, {"h", 3600e9}};
  double total = 0;
  std::string_view rest = text;
  while (!rest.empty()) {
    size_t n = 0;
    while (n < rest.size() && ((rest[n] >= '0' && rest[n] <= '9') || rest[n] == '.')) ++n;
    if (n == 0) return make_error("duration \"{}\": expected a number", text);
    double value = std::strtod(std::string(rest.substr(0, n)).c_str(), nullptr);
    rest.remove_prefix(n);
    size_t u = 0;
    while (u < rest.size() && !((rest[u] >= '0' && rest[u] <= '9') || rest[u] == '.')) ++u;
    std::string_view unit = rest.substr(0, u);
    rest.remove_prefix(u);
    bool known = false;
    for (const auto &[name, scale] : units)
      if (unit == name) {
        total += value * scale;
        known = true;
      }
    if (!known) return make_error("duration \"{}\": unknown unit \"{}\" (ns, us, ms, s, m, h)", text, unit);
  }
  return static_cast<int64_t>(total);
}

Result<int64_t> parse_since(std::string_view text, std::chrono::system_clock::time_point now) {
  int64_t now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
  if (auto t = parse_rfc3339(text)) return *t;
  long long secs = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), secs);
  if (!text.empty() && ec == std::errc() && end == text.data() + text.size()) return secs * 1000000000LL;
  auto d = parse_go_duration(text);
  if (!d) return make_error("--since \"{}\": expected an RFC 3339 time, Unix seconds or a duration like 42m", text);
  return now_ns - *d;
}

}  // namespace berth::cridctl
