#include "netns/cni_config.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace berth::netns {

namespace {

const char *kExtensions[] = {".conflist", ".conf", ".json"};

// A plugin type becomes a file name in the plugin dirs: nothing that walks out of them.
bool valid_type(std::string_view type) {
  return !type.empty() && type != "." && type != ".." && type.find('/') == std::string_view::npos;
}

Result<std::string> string_field(const nlohmann::json &obj, const char *key, const std::string &where,
                                 bool required) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) {
    if (required) return make_error("{}: missing \"{}\"", where, key);
    return std::string();
  }
  if (!it->is_string()) return make_error("{}: \"{}\" must be a string", where, key);
  return it->get<std::string>();
}

Result<CniPlugin> parse_plugin(const nlohmann::json &obj, const std::string &where) {
  if (!obj.is_object()) return make_error("{}: expected an object", where);
  CniPlugin plugin;
  plugin.type = TRY(string_field(obj, "type", where, true));
  if (!valid_type(plugin.type)) return make_error("{}: type \"{}\" is not a plugin name", where, plugin.type);
  if (auto caps = obj.find("capabilities"); caps != obj.end() && !caps->is_object())
    return make_error("{}: \"capabilities\" must be an object", where);
  plugin.conf = obj;
  return plugin;
}

}  // namespace

bool CniPlugin::has_capability(std::string_view name) const {
  auto caps = conf.find("capabilities");
  if (caps == conf.end() || !caps->is_object()) return false;
  auto it = caps->find(name);
  return it != caps->end() && it->is_boolean() && it->get<bool>();
}

Result<CniConfigList> parse_config(const nlohmann::json &json, const std::string &source) {
  std::string where = source.empty() ? std::string("CNI config") : source;
  if (!json.is_object()) return make_error("{}: expected a JSON object", where);
  CniConfigList list;
  list.source = source;
  list.name = TRY(string_field(json, "name", where, true));
  if (list.name.empty()) return make_error("{}: \"name\" must not be empty", where);
  list.cni_version = TRY(string_field(json, "cniVersion", where, false));
  if (list.cni_version.empty()) list.cni_version = "0.1.0";  // what libcni assumes
  auto plugins = json.find("plugins");
  if (plugins == json.end()) {
    // A single plugin config (.conf): a list of one.
    list.plugins.push_back(TRY(parse_plugin(json, where)));
    list.raw = {{"cniVersion", list.cni_version}, {"name", list.name}, {"plugins", {json}}};
    return list;
  }
  if (auto dc = json.find("disableCheck"); dc != json.end()) {
    if (!dc->is_boolean()) return make_error("{}: \"disableCheck\" must be true or false", where);
    list.disable_check = dc->get<bool>();
  }
  if (!plugins->is_array()) return make_error("{}: \"plugins\" must be an array", where);
  if (plugins->empty()) return make_error("{}: \"plugins\" is empty", where);
  for (size_t i = 0; i < plugins->size(); ++i)
    list.plugins.push_back(TRY(parse_plugin((*plugins)[i], fmt::format("{}: plugins[{}]", where, i))));
  list.raw = json;
  return list;
}

Result<CniConfigList> parse_config_text(std::string_view text, const std::string &source) {
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception &e) {
    // parse_error, and out_of_range for a number too large for a double.
    return make_error("{}: not valid JSON: {}", source.empty() ? "CNI config" : source, e.what());
  }
  return parse_config(json, source);
}

Result<std::vector<std::string>> config_files(const std::string &dir) {
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) {
    if (ec == std::errc::no_such_file_or_directory) return files;
    return sys_error(ec.value(), "read CNI config dir {}", dir);
  }
  for (const auto &entry : it) {
    if (entry.is_directory(ec)) continue;
    std::string ext = entry.path().extension().string();
    if (std::ranges::find(kExtensions, ext) != std::end(kExtensions)) files.push_back(entry.path().string());
  }
  std::ranges::sort(files);
  return files;
}

Result<std::optional<CniConfigList>> load_first_config(const std::string &dir) {
  auto files = TRY(config_files(dir));
  if (files.empty()) return std::nullopt;
  const std::string &file = files.front();
  std::ifstream in(file);
  if (!in) return sys_error(errno, "read CNI config {}", file);
  std::stringstream text;
  text << in.rdbuf();
  return TRY(parse_config_text(text.str(), file));
}

}  // namespace berth::netns
