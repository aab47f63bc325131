// config.json -> Spec. Every rejection names the JSON path and the problem,
// e.g. "process.args: expected an array of strings".
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "libcontainer/result.h"
#include "libcontainer/spec.h"

namespace berth {

// Parses and validates a config document. Errors carry no file prefix.
Result<Spec> parse_spec(std::string_view json_text);

// Reads <path> and parses it; errors are prefixed with the file's base name
// ("config.json: process.args: expected an array of strings").
Result<Spec> load_spec(const std::string &path);

std::string_view namespace_type_name(NamespaceType t);  // "pid", "network", ...
std::optional<NamespaceType> namespace_type_from_name(std::string_view name);

// The config `berth spec` writes: runc spec's default (rootless variant when asked).
nlohmann::json default_spec(bool rootless);

}  // namespace berth
