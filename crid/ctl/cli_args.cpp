#include "crid/ctl/cli_args.h"

#include <charconv>

namespace berth::cridctl {

std::optional<std::string> ParsedArgs::value(const std::string &name) const {
  auto it = values.find(name);
  if (it == values.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::string ParsedArgs::value_or(const std::string &name, std::string fallback) const {
  auto v = value(name);
  return v ? *v : std::move(fallback);
}

const std::vector<std::string> &ParsedArgs::all(const std::string &name) const {
  static const std::vector<std::string> none;
  auto it = values.find(name);
  return it == values.end() ? none : it->second;
}

namespace {

const FlagSpec *find_long(const std::vector<FlagSpec> &specs, std::string_view name) {
  for (const auto &s : specs)
    if (s.name == name) return &s;
  return nullptr;
}

const FlagSpec *find_short(const std::vector<FlagSpec> &specs, char c) {
  for (const auto &s : specs)
    if (s.alias == c) return &s;
  return nullptr;
}

void store(ParsedArgs &out, const FlagSpec &spec, std::string value) {
  auto &slot = out.values[spec.name];
  if (!spec.repeatable) slot.clear();
  slot.push_back(std::move(value));
}

}  // namespace

Result<ParsedArgs> parse_flags(const std::vector<std::string> &argv, const std::vector<FlagSpec> &specs,
                               std::optional<size_t> stop_after) {
  ParsedArgs out;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string &a = argv[i];
    bool flags_done = stop_after && out.positional.size() >= *stop_after;
    if (flags_done || a.size() < 2 || a[0] != '-') {
      out.positional.push_back(a);
      continue;
    }
    if (a == "--") {
      out.positional.insert(out.positional.end(), argv.begin() + static_cast<long>(i) + 1, argv.end());
      break;
    }
    if (a.starts_with("--")) {
      std::string name = a.substr(2);
      std::optional<std::string> value;
      if (auto eq = name.find('='); eq != std::string::npos) {
        value = name.substr(eq + 1);
        name.resize(eq);
      }
      const FlagSpec *spec = find_long(specs, name);
      if (!spec) return make_error("unknown flag --{}", name);
      if (!spec->takes_value) {
        if (value) return make_error("flag --{} takes no value", name);
        out.flags.insert(spec->name);
        continue;
      }
      if (!value) {
        if (i + 1 >= argv.size()) return make_error("flag --{} needs a value", name);
        value = argv[++i];
      }
      store(out, *spec, std::move(*value));
      continue;
    }
    // Short flags: "-q", "-aq", "-n5", "-n 5", "-o=json".
    for (size_t j = 1; j < a.size(); ++j) {
      const FlagSpec *spec = find_short(specs, a[j]);
      if (!spec) return make_error("unknown flag -{}", a[j]);
      if (!spec->takes_value) {
        out.flags.insert(spec->name);
        continue;
      }
      std::string value = a.substr(j + 1);
      if (value.starts_with("=")) value.erase(0, 1);
      if (value.empty()) {
        if (i + 1 >= argv.size()) return make_error("flag -{} needs a value", a[j]);
        value = argv[++i];
      }
      store(out, *spec, std::move(value));
      break;
    }
  }
  return out;
}

Result<std::map<std::string, std::string>> parse_labels(const std::vector<std::string> &labels) {
  std::map<std::string, std::string> out;
  for (const auto &l : labels) {
    auto eq = l.find('=');
    if (eq == std::string::npos || l.find('=', eq + 1) != std::string::npos)
      return make_error("incorrectly specified label: {} (expected key=value)", l);
    out[l.substr(0, eq)] = l.substr(eq + 1);
  }
  return out;
}

Result<long long> parse_integer(std::string_view flag, std::string_view text) {
  long long v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size())
    return make_error("{}: expected an integer, got \"{}\"", flag, text);
  return v;
}

}  // namespace berth::cridctl
