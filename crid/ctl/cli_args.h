// Subcommand flags the way crictl's users type them: --name VALUE,
// --name=VALUE, -n VALUE, boolean -q/--quiet, grouped short booleans (-aq),
// repeatable flags (--label a=b --label c=d) and "--" to end the flags.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "libcontainer/result.h"

namespace berth::cridctl {

struct FlagSpec {
  std::string name;         // long name, without dashes: "no-trunc"
  char alias = 0;           // short name, or 0: 'q'
  bool takes_value = false;
  bool repeatable = false;  // keeps every value (--label)
};

struct ParsedArgs {
  std::vector<std::string> positional;
  std::map<std::string, std::vector<std::string>> values;
  std::set<std::string> flags;

  bool has(const std::string &name) const { return flags.count(name) || values.count(name); }
  // The last value given for a flag, or std::nullopt.
  std::optional<std::string> value(const std::string &name) const;
  std::string value_or(const std::string &name, std::string fallback) const;
  const std::vector<std::string> &all(const std::string &name) const;
};

// stop_after: flags are read only until this many positional arguments have
// been seen (exec: everything after the container id is the command).
Result<ParsedArgs> parse_flags(const std::vector<std::string> &argv, const std::vector<FlagSpec> &specs,
                               std::optional<size_t> stop_after = std::nullopt);

// "--label k=v" values into a map; "k=v=w" and "k" are errors, as in crictl.
Result<std::map<std::string, std::string>> parse_labels(const std::vector<std::string> &labels);

// A whole number of seconds or a flag value that must be an integer.
Result<long long> parse_integer(std::string_view flag, std::string_view text);

}  // namespace berth::cridctl
