// Command-line parsing with runc's conventions: "--flag value", "--flag=value",
// the Go-style single-dash "-flag value", short "-b value", boolean flags.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "libcontainer/result.h"

namespace berth::cli {

struct Option {
  std::string_view name;   // long name, without dashes
  char short_name = 0;     // 0: none
  bool takes_value = false;
  std::string_view help;
  std::string_view value_name = "value";
};

struct Parsed {
  std::map<std::string, std::string, std::less<>> values;  // booleans hold "true"/"false"
  std::vector<std::string> positional;
  bool help = false;
  // Every value of each flag, in order, for flags given more than once (--env).
  std::map<std::string, std::vector<std::string>, std::less<>> lists;

  bool flag(std::string_view name) const;
  std::string get(std::string_view name, std::string_view fallback = "") const;
  bool has(std::string_view name) const { return values.contains(name); }
  std::vector<std::string> all(std::string_view name) const;
};

// Parses args[begin..) until the first positional argument when
// stop_at_positional, else through the end ("--" always ends the flags).
Result<Parsed> parse(const std::vector<std::string> &args, size_t begin, const std::vector<Option> &options,
                     bool stop_at_positional);

std::string format_options(const std::vector<Option> &options);

}  // namespace berth::cli
