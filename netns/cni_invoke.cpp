#include "netns/cni_invoke.h"

#include <sys/stat.h>
#include <unistd.h>

#include <charconv>

#include "netns/cni_result.h"
#include "netns/plugin_exec.h"

extern char **environ;

namespace berth::netns {

namespace {

std::vector<std::string> own_environment() {
  std::vector<std::string> env;
  for (char **e = environ; e && *e; ++e) env.emplace_back(*e);
  return env;
}

std::string what(const CniConfigList &list, const CniPlugin &plugin, std::string_view command) {
  return fmt::format("CNI {} of network \"{}\": plugin {}", command, list.name, plugin.type);
}

// The last non-empty line a plugin wrote to stderr, for plugins that fail without an error object.
std::string last_line(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  auto nl = text.rfind('\n');
  return std::string(nl == std::string_view::npos ? text : text.substr(nl + 1));
}

// Runs one plugin; its stdout parsed as JSON when it succeeds (null when empty).
Result<nlohmann::json> exec_plugin(const CniConfigList &list, const CniPlugin &plugin, std::string_view command,
                                   const CniRuntimeConf &rt, const CniExecConf &exec,
                                   const nlohmann::json &prev_result) {
  std::string path = TRY_CTX(find_plugin(plugin.type, exec.plugin_dirs), what(list, plugin, command));
  std::string input = plugin_stdin(list, plugin, prev_result, rt.capability_args).dump();
  auto run = TRY_CTX(run_plugin(path, plugin_env(command, rt, exec.plugin_dirs, own_environment()), input,
                                exec.timeout),
                     what(list, plugin, command));
  if (run.timed_out)
    return make_error("{}: no answer within {} seconds (killed)", what(list, plugin, command),
                      exec.timeout.count() / 1000.0);
  if (run.exit_code != 0) {
    std::string why;
    if (auto e = parse_error(run.out)) why = describe(*e);
    if (why.empty()) why = last_line(run.err);
    if (why.empty()) why = last_line(run.out);
    if (why.empty()) why = "no message";
    return make_error("{}: {} (exit status {})", what(list, plugin, command), why, run.exit_code);
  }
  if (run.out.find_first_not_of(" \t\r\n") == std::string::npos) return nlohmann::json();
  nlohmann::json out = nlohmann::json::parse(run.out, nullptr, false);
  if (out.is_discarded())
    return make_error("{}: its output is not JSON: {}", what(list, plugin, command), last_line(run.out));
  return out;
}

// The previous plugin's result in the form the list speaks.
Result<nlohmann::json> as_prev_result(const CniConfigList &list, const CniPlugin &plugin, const nlohmann::json &raw) {
  auto parsed = TRY_CTX(parse_result(raw), what(list, plugin, "ADD"));
  if (parsed.cni_version == list.cni_version) return raw;
  return result_to_json(parsed, list.cni_version);
}

Result<void> del_plugins(const CniConfigList &list, size_t count, const CniRuntimeConf &rt,
                         const CniExecConf &exec, const nlohmann::json &cached_result) {
  nlohmann::json prev = compare_versions(list.cni_version, "0.4.0") >= 0 ? cached_result : nlohmann::json();
  Result<void> first;
  for (size_t i = count; i-- > 0;) {
    auto r = exec_plugin(list, list.plugins[i], "DEL", rt, exec, prev);
    if (!r && first) first = std::unexpected(r.error());
  }
  return first;
}

}  // namespace

Result<std::string> find_plugin(const std::string &type, const std::vector<std::string> &dirs) {
  for (const auto &dir : dirs) {
    std::string path = fmt::format("{}/{}", dir, type);
    struct stat st;
    if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0) return path;
  }
  std::string searched;
  for (const auto &dir : dirs) searched += (searched.empty() ? "" : ", ") + dir;
  return make_error("no executable \"{}\" in the CNI plugin dirs ({})", type, searched.empty() ? "none" : searched);
}

nlohmann::json plugin_stdin(const CniConfigList &list, const CniPlugin &plugin, const nlohmann::json &prev_result,
                            const nlohmann::json &capability_args) {
  nlohmann::json conf = plugin.conf;
  conf["name"] = list.name;
  conf["cniVersion"] = list.cni_version;
  if (!prev_result.is_null()) conf["prevResult"] = prev_result;
  else conf.erase("prevResult");
  nlohmann::json runtime = nlohmann::json::object();
  if (capability_args.is_object())
    for (const auto &[key, value] : capability_args.items())
      if (plugin.has_capability(key)) runtime[key] = value;
  if (!runtime.empty()) conf["runtimeConfig"] = runtime;
  else conf.erase("runtimeConfig");
  return conf;
}

std::string cni_args_string(const std::vector<std::pair<std::string, std::string>> &args) {
  std::string out;
  for (const auto &[k, v] : args) out += fmt::format("{}{}={}", out.empty() ? "" : ";", k, v);
  return out;
}

std::vector<std::string> plugin_env(std::string_view command, const CniRuntimeConf &rt,
                                    const std::vector<std::string> &plugin_dirs,
                                    const std::vector<std::string> &base) {
  std::vector<std::string> env;
  for (const auto &e : base)
    if (!e.starts_with("CNI_")) env.push_back(e);
  std::string path;
  for (const auto &dir : plugin_dirs) path += (path.empty() ? "" : ":") + dir;
  env.push_back(fmt::format("CNI_COMMAND={}", command));
  env.push_back(fmt::format("CNI_PATH={}", path));
  if (command != "VERSION") {
    env.push_back(fmt::format("CNI_CONTAINERID={}", rt.container_id));
    env.push_back(fmt::format("CNI_NETNS={}", rt.netns));
    env.push_back(fmt::format("CNI_IFNAME={}", rt.ifname));
    env.push_back(fmt::format("CNI_ARGS={}", cni_args_string(rt.args)));
  }
  return env;
}

int compare_versions(std::string_view a, std::string_view b) {
  auto next = [](std::string_view &s) {
    unsigned v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    s.remove_prefix(static_cast<size_t>(end - s.data()));
    if (!s.empty() && s.front() == '.') s.remove_prefix(1);
    return v;
  };
  for (int part = 0; part < 3; ++part) {
    unsigned x = next(a), y = next(b);
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

Result<nlohmann::json> add_network_list(const CniConfigList &list, const CniRuntimeConf &rt,
                                        const CniExecConf &exec) {
  nlohmann::json prev;
  for (size_t i = 0; i < list.plugins.size(); ++i) {
    const CniPlugin &plugin = list.plugins[i];
    // A plugin that cannot be found never ran, so there is nothing of its own to undo.
    bool ran = find_plugin(plugin.type, exec.plugin_dirs).has_value();
    auto out = exec_plugin(list, plugin, "ADD", rt, exec, prev);
    Result<nlohmann::json> next = out ? (out->is_null() ? Result<nlohmann::json>(make_error(
                                                              "{}: it printed no result", what(list, plugin, "ADD")))
                                                        : as_prev_result(list, plugin, *out))
                                      : Result<nlohmann::json>(std::unexpected(out.error()));
    if (!next) {
      Error error = next.error();
      if (auto undo = del_plugins(list, ran ? i + 1 : i, rt, exec, prev); !undo)
        error.message += fmt::format("; undoing it failed too: {}", undo.error().message);
      return std::unexpected(error);
    }
    prev = std::move(*next);
  }
  return prev;
}

Result<void> del_network_list(const CniConfigList &list, const CniRuntimeConf &rt, const CniExecConf &exec,
                              const nlohmann::json &cached_result) {
  return del_plugins(list, list.plugins.size(), rt, exec, cached_result);
}

Result<void> check_network_list(const CniConfigList &list, const CniRuntimeConf &rt, const CniExecConf &exec,
                                const nlohmann::json &cached_result) {
  if (list.disable_check || compare_versions(list.cni_version, "0.4.0") < 0) return {};
  if (cached_result.is_null())
    return make_error("CNI CHECK of network \"{}\" for {}: no result of ADD to check against", list.name,
                      rt.container_id);
  for (const auto &plugin : list.plugins) TRY(exec_plugin(list, plugin, "CHECK", rt, exec, cached_result));
  return {};
}

Result<std::vector<std::string>> plugin_versions(const std::string &type, std::string_view cni_version,
                                                 const CniExecConf &exec) {
  std::string path = TRY_CTX(find_plugin(type, exec.plugin_dirs), fmt::format("CNI VERSION: plugin {}", type));
  std::string input = nlohmann::json{{"cniVersion", cni_version}}.dump();
  auto run = TRY(run_plugin(path, plugin_env("VERSION", {}, exec.plugin_dirs, own_environment()), input,
                            exec.timeout));
  if (run.exit_code != 0) {
    auto e = parse_error(run.out);
    return make_error("CNI VERSION: plugin {}: {} (exit status {})", type,
                      e ? describe(*e) : last_line(run.err), run.exit_code);
  }
  nlohmann::json out = nlohmann::json::parse(run.out, nullptr, false);
  auto versions = out.is_object() ? out.find("supportedVersions") : out.end();
  if (out.is_discarded() || !out.is_object() || versions == out.end() || !versions->is_array())
    return make_error("CNI VERSION: plugin {}: no supportedVersions in its output", type);
  std::vector<std::string> list;
  for (const auto &v : *versions)
    if (v.is_string()) list.push_back(v.get<std::string>());
  return list;
}

}  // namespace berth::netns
