#include "libcontainer/spec_json.h"

#include <algorithm>
#include <cctype>

namespace berth::spec_json {

namespace {

bool is_identifier(std::string_view key) {
  if (key.empty() || std::isdigit(static_cast<unsigned char>(key[0]))) return false;
  return std::ranges::all_of(key, [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

}  // namespace

std::string child_path(std::string_view parent, std::string_view key) {
  if (is_identifier(key)) return parent.empty() ? std::string(key) : fmt::format("{}.{}", parent, key);
  return fmt::format("{}[\"{}\"]", parent, key);
}

std::string index_path(std::string_view parent, size_t index) { return fmt::format("{}[{}]", parent, index); }

Result<std::string> to_string(const Json &j, std::string_view path) {
  if (!j.is_string()) return path_error(path, "expected a string");
  return j.get<std::string>();
}

Result<bool> to_bool(const Json &j, std::string_view path) {
  if (!j.is_boolean()) return path_error(path, "expected a boolean");
  return j.get<bool>();
}

Result<std::vector<std::string>> to_strings(const Json &j, std::string_view path) {
  if (!j.is_array()) return path_error(path, "expected an array of strings");
  std::vector<std::string> out;
  out.reserve(j.size());
  for (size_t i = 0; i < j.size(); ++i) out.push_back(TRY(to_string(j[i], index_path(path, i))));
  return out;
}

Result<std::map<std::string, std::string>> to_string_map(const Json &j, std::string_view path) {
  if (!j.is_object()) return path_error(path, "expected an object with string values");
  std::map<std::string, std::string> out;
  for (const auto &[key, value] : j.items()) out[key] = TRY(to_string(value, child_path(path, key)));
  return out;
}

Result<Object> Object::open(const Json &j, std::string path) {
  if (!j.is_object()) return path_error(path, "expected an object");
  return Object(j, std::move(path));
}

const Json *Object::find(std::string_view key) const {
  auto it = json_->find(key);
  if (it == json_->end() || it->is_null()) return nullptr;
  return &*it;
}

Result<const Json *> Object::require(std::string_view key) const {
  const Json *v = find(key);
  if (!v) return path_error(path_of(key), "required field missing");
  return v;
}

Result<void> Object::get(std::string_view key, std::string &out) const {
  if (const Json *v = find(key)) out = TRY(to_string(*v, path_of(key)));
  return {};
}

Result<void> Object::get(std::string_view key, bool &out) const {
  if (const Json *v = find(key)) out = TRY(to_bool(*v, path_of(key)));
  return {};
}

Result<void> Object::get(std::string_view key, std::optional<bool> &out) const {
  if (const Json *v = find(key)) out = TRY(to_bool(*v, path_of(key)));
  return {};
}

Result<void> Object::get(std::string_view key, std::vector<std::string> &out) const {
  if (const Json *v = find(key)) out = TRY(to_strings(*v, path_of(key)));
  return {};
}

Result<void> Object::get(std::string_view key, std::map<std::string, std::string> &out) const {
  if (const Json *v = find(key)) out = TRY(to_string_map(*v, path_of(key)));
  return {};
}

}  // namespace berth::spec_json
