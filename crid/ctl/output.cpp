#include "crid/ctl/output.h"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <map>
#include <regex>

#include <fmt/core.h>

namespace berth::cridctl {

Result<OutputFormat> parse_output_format(std::string_view text, const std::set<OutputFormat> &allowed) {
  static const std::map<std::string_view, OutputFormat> names = {
      {"table", OutputFormat::Table}, {"json", OutputFormat::Json},
      {"yaml", OutputFormat::Yaml},   {"name", OutputFormat::Name}};
  auto it = names.find(text);
  if (it != names.end() && allowed.count(it->second)) return it->second;
  std::string choices;
  for (const auto &[name, format] : names)
    if (allowed.count(format)) choices += choices.empty() ? std::string(name) : "|" + std::string(name);
  return make_error("unsupported output format \"{}\" (one of {})", text, choices);
}

std::string format_table(const std::vector<std::vector<std::string>> &rows) {
  std::vector<size_t> widths;
  for (const auto &row : rows)
    for (size_t i = 0; i + 1 < row.size(); ++i) {
      if (widths.size() <= i) widths.resize(i + 1, 0);
      widths[i] = std::max(widths[i], row[i].size());
    }
  std::string out;
  for (const auto &row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      out += row[i];
      if (i + 1 < row.size()) out.append(std::max<size_t>(widths[i] + 3, 20) - row[i].size(), ' ');
    }
    out += '\n';
  }
  return out;
}

std::string human_duration(std::chrono::nanoseconds d) {
  using namespace std::chrono;
  long long seconds = duration_cast<std::chrono::seconds>(d).count();
  if (seconds < 1) return "Less than a second";
  if (seconds == 1) return "1 second";
  if (seconds < 60) return fmt::format("{} seconds", seconds);
  long long minutes = seconds / 60;
  if (minutes == 1) return "About a minute";
  if (minutes < 60) return fmt::format("{} minutes", minutes);
  // Go's d.Round(time.Hour): halves round away from zero.
  long long hours = (d.count() + 1800LL * 1000000000LL) / (3600LL * 1000000000LL);
  if (hours == 1) return "About an hour";
  if (hours < 48) return fmt::format("{} hours", hours);
  if (hours < 24 * 7 * 2) return fmt::format("{} days", hours / 24);
  if (hours < 24 * 30 * 2) return fmt::format("{} weeks", hours / 24 / 7);
  if (hours < 24 * 365 * 2) return fmt::format("{} months", hours / 24 / 30);
  return fmt::format("{} years", seconds / 3600 / 24 / 365);
}

std::string age_string(int64_t created_ns, std::chrono::system_clock::time_point now) {
  auto now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
  return human_duration(std::chrono::nanoseconds(now_ns - created_ns)) + " ago";
}

std::string human_size(double bytes, int precision) {
  static const char *units[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
  size_t i = 0;
  while (bytes >= 1000 && i + 1 < std::size(units)) {
    bytes /= 1000;
    ++i;
  }
  return fmt::format("{:.{}g}{}", bytes, precision, units[i]);
}

std::string truncate_id(std::string_view id, bool no_trunc) {
  if (no_trunc) return std::string(id);
  if (id.starts_with("sha256:")) id.remove_prefix(7);
  return std::string(id.substr(0, 13));
}

std::string rfc3339_nano(std::optional<int64_t> ns) {
  if (!ns) return "0001-01-01T00:00:00Z";
  int64_t secs = *ns / 1000000000;
  int64_t frac = *ns % 1000000000;
  if (frac < 0) {
    frac += 1000000000;
    --secs;
  }
  time_t t = static_cast<time_t>(secs);
  struct tm tm;
  localtime_r(&t, &tm);
  char base[32];
  strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out = base;
  if (frac) {
    std::string digits = fmt::format("{:09d}", frac);
    while (digits.back() == '0') digits.pop_back();
    out += "." + digits;
  }
  long off = tm.tm_gmtoff;
  if (off == 0) return out + "Z";
  char sign = off < 0 ? '-' : '+';
  off = off < 0 ? -off : off;
  return out + fmt::format("{}{:02d}:{:02d}", sign, off / 3600, off % 3600 / 60);
}

namespace {

// YAML 1.1 readers (go-yaml v2, PyYAML) give these plain scalars a type other
// than string, so such strings must be quoted.
bool looks_typed(const std::string &s) {
  static const std::regex typed(
      R"(^(~|null|Null|NULL|y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$)"
      R"(|^[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?$)"
      R"(|^[-+]?0x[0-9a-fA-F_]+$|^[-+]?0b[01_]+$|^[-+]?0o?[0-7_]+$)"
      R"(|^[-+]?\.(inf|Inf|INF)$|^\.(nan|NaN|NAN)$|^[0-9]+(:[0-5]?[0-9])+(\.[0-9_]*)?$)");
  return std::regex_match(s, typed);
}

bool needs_quotes(const std::string &s) {
  if (s.empty() || looks_typed(s)) return true;
  if (std::isspace(static_cast<unsigned char>(s.front())) || std::isspace(static_cast<unsigned char>(s.back())))
    return true;
  if (std::string_view("-?:,[]{}#&*!|>'\"%@`").find(s.front()) != std::string_view::npos) return true;
  if (s.back() == ':') return true;
  if (s.find(": ") != std::string::npos || s.find(" #") != std::string::npos) return true;
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return true;
  return false;
}

std::string scalar(const ojson &v) {
  if (v.is_string()) {
    const std::string &s = v.get_ref<const std::string &>();
    return needs_quotes(s) ? ojson(s).dump() : s;  // JSON's escapes are YAML's
  }
  return v.dump();  // numbers, booleans, null
}

bool is_block(const ojson &v) { return (v.is_object() || v.is_array()) && !v.empty(); }

std::vector<std::string> sorted_keys(const ojson &object) {
  std::vector<std::string> keys;
  for (const auto &[k, _] : object.items()) keys.push_back(k);
  std::sort(keys.begin(), keys.end());
  return keys;
}

void emit(const ojson &v, size_t indent, std::string &out);

// One mapping entry or sequence item whose header ("key:" or "-") is already
// written; puts a scalar on the same line, a block on the lines below.
void emit_value_after(const ojson &v, size_t indent, bool in_sequence, std::string &out) {
  if (!is_block(v)) {
    out += ' ';
    out += v.is_object() ? "{}" : v.is_array() ? "[]" : scalar(v);
    out += '\n';
    return;
  }
  if (in_sequence) {
    // "- key: value" / "- - item": the first line shares the dash's line.
    out += ' ';
    std::string nested;
    emit(v, indent + 2, nested);
    out += nested.substr(indent + 2);
    return;
  }
  out += '\n';
  // go-yaml does not indent a sequence under its mapping key.
  emit(v, v.is_array() ? indent : indent + 2, out);
}

void emit(const ojson &v, size_t indent, std::string &out) {
  std::string pad(indent, ' ');
  if (v.is_object()) {
    for (const auto &k : sorted_keys(v)) {
      out += pad + scalar(ojson(k)) + ":";
      emit_value_after(v.at(k), indent, false, out);
    }
  } else if (v.is_array()) {
    for (const auto &item : v) {
      out += pad + "-";
      emit_value_after(item, indent, true, out);
    }
  }
}

}  // namespace

std::string json_to_yaml(const ojson &value) {
  if (!is_block(value)) return (value.is_object() ? "{}" : value.is_array() ? "[]" : scalar(value)) + "\n";
  std::string out;
  emit(value, 0, out);
  return out;
}

}  // namespace berth::cridctl
