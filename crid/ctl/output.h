// Output formatting shared by the commands, matching crictl's: tables padded
// like Go's tabwriter, ages like docker's go-units ("5 minutes ago"), sizes in
// decimal units, truncated ids, RFC 3339 times and a JSON-to-YAML emitter
// (crictl's -o yaml is sigs.k8s.io/yaml over its JSON: sorted keys, block style).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "libcontainer/result.h"

namespace berth::cridctl {

using ojson = nlohmann::ordered_json;

enum class OutputFormat { Table, Json, Yaml, Name };

// Parses -o's value; `allowed` lists the formats this command has.
Result<OutputFormat> parse_output_format(std::string_view text, const std::set<OutputFormat> &allowed);

// Rows of cells as crictl's tabwriter prints them: every column but the last
// padded to its widest cell plus three spaces, at least 20 wide.
std::string format_table(const std::vector<std::vector<std::string>> &rows);

// go-units HumanDuration: "Less than a second", "About a minute", "3 hours", ...
std::string human_duration(std::chrono::nanoseconds d);
// "<age> ago" of a CRI timestamp (nanoseconds since the epoch) at `now`.
std::string age_string(int64_t created_ns, std::chrono::system_clock::time_point now);

// go-units HumanSizeWithPrecision: decimal units, `precision` significant digits.
std::string human_size(double bytes, int precision);

// crictl's 13-character ids, unless no_trunc; strips a "sha256:" prefix first.
std::string truncate_id(std::string_view id, bool no_trunc);

// Go's time.Format(time.RFC3339Nano) in local time: trailing zeros of the
// fraction dropped, "Z" for UTC. No time (unset) is Go's zero time.
std::string rfc3339_nano(std::optional<int64_t> ns);

// YAML text of a JSON value (keys sorted, two-space indent, strings quoted
// whenever a YAML reader would take them for something else).
std::string json_to_yaml(const ojson &value);

}  // namespace berth::cridctl
