// Typed reads of JSON values that know where they are in the document, so
// every complaint the spec parser makes starts with the JSON path
// ("linux.namespaces[2].type: expected a string").
#pragma once

#include <concepts>
#include <cstdint>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "libcontainer/result.h"

namespace berth::spec_json {

using Json = nlohmann::json;

// "process" + "args" -> "process.args"; keys that are not plain identifiers
// are quoted: "linux.sysctl" + "net.ipv4.ip_forward" -> linux.sysctl["net.ipv4.ip_forward"].
std::string child_path(std::string_view parent, std::string_view key);
std::string index_path(std::string_view parent, size_t index);

template <typename... Args>
std::unexpected<Error> path_error(std::string_view path, fmt::format_string<Args...> f, Args &&...args) {
  return make_error("{}: {}", path, fmt::format(f, std::forward<Args>(args)...));
}

Result<std::string> to_string(const Json &j, std::string_view path);
Result<bool> to_bool(const Json &j, std::string_view path);
Result<std::vector<std::string>> to_strings(const Json &j, std::string_view path);
Result<std::map<std::string, std::string>> to_string_map(const Json &j, std::string_view path);

template <std::integral T>
Result<T> to_integer(const Json &j, std::string_view path) {
  constexpr auto lo = std::numeric_limits<T>::min();
  constexpr auto hi = std::numeric_limits<T>::max();
  if (j.is_number_unsigned()) {
    uint64_t v = j.get<uint64_t>();
    if (v > static_cast<uint64_t>(hi)) return path_error(path, "must be between {} and {}, got {}", lo, hi, v);
    return static_cast<T>(v);
  }
  if (j.is_number_integer()) {
    int64_t v = j.get<int64_t>();
    bool too_low = std::is_signed_v<T> ? v < static_cast<int64_t>(lo) : v < 0;
    bool too_high = v > 0 && static_cast<uint64_t>(v) > static_cast<uint64_t>(hi);
    if (too_low || too_high) return path_error(path, "must be between {} and {}, got {}", lo, hi, v);
    return static_cast<T>(v);
  }
  if (j.is_number_float()) return path_error(path, "expected an integer, got {}", j.dump());
  return path_error(path, "expected an integer");
}

// A JSON object being read field by field. A field set to null counts as
// absent, as it does for Go's encoding/json, which wrote most configs we meet.
class Object {
 public:
  static Result<Object> open(const Json &j, std::string path);

  const std::string &path() const { return path_; }
  std::string path_of(std::string_view key) const { return child_path(path_, key); }
  const Json *find(std::string_view key) const;
  Result<const Json *> require(std::string_view key) const;
  const Json &json() const { return *json_; }

  // Optional fields: `out` is left alone when the field is absent.
  Result<void> get(std::string_view key, std::string &out) const;
  Result<void> get(std::string_view key, bool &out) const;
  Result<void> get(std::string_view key, std::optional<bool> &out) const;
  Result<void> get(std::string_view key, std::vector<std::string> &out) const;
  Result<void> get(std::string_view key, std::map<std::string, std::string> &out) const;
  template <std::integral T>
  Result<void> get(std::string_view key, T &out) const {
    if (const Json *v = find(key)) out = TRY(to_integer<T>(*v, path_of(key)));
    return {};
  }
  template <std::integral T>
  Result<void> get(std::string_view key, std::optional<T> &out) const {
    if (const Json *v = find(key)) out = TRY(to_integer<T>(*v, path_of(key)));
    return {};
  }

  // Required fields: "<path>: required field missing" when absent.
  template <typename T>
  Result<void> get_required(std::string_view key, T &out) const {
    TRY(require(key));
    return get(key, out);
  }

 private:
  Object(const Json &j, std::string path) : json_(&j), path_(std::move(path)) {}
  const Json *json_;
  std::string path_;
};

// Calls parse(element, element_path) for each element of the array at `path`.
template <typename F>
Result<void> for_each_element(const Json &j, std::string_view path, F &&parse) {
  if (!j.is_array()) return path_error(path, "expected an array");
  for (size_t i = 0; i < j.size(); ++i) TRY(parse(j[i], index_path(path, i)));
  return {};
}

// Calls parse(key, value, value_path) for each member of the object at `path`.
template <typename F>
Result<void> for_each_member(const Json &j, std::string_view path, F &&parse) {
  if (!j.is_object()) return path_error(path, "expected an object");
  for (const auto &[key, value] : j.items()) TRY(parse(key, value, child_path(path, key)));
  return {};
}

}  // namespace berth::spec_json
