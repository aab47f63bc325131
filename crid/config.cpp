#include "crid/config.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>

#include <toml++/toml.h>

#include "crid/log.h"

namespace berth::crid {

namespace {

constexpr std::string_view kUnixScheme = "unix://";

// A flag: its name, whether it takes a value, and what it sets.
struct Flag {
  std::string_view name;
  bool takes_value;
  std::string_view help;
};

constexpr Flag kFlags[] = {
    {"config", true, "read settings from FILE (default " CRID_DEFAULT_CONFIG ")"},
    {"listen", true, "serve CRI on this address (default unix:///run/crid/crid.sock)"},
    {"root", true, "persistent data: images and metadata (default /var/lib/crid)"},
    {"state", true, "runtime state, gone at reboot (default /run/crid)"},
    {"runtime", true, "OCI runtime binary (default " CRID_DEFAULT_RUNTIME ")"},
    {"log-level", true, "debug, info, warning or error (default info)"},
    {"insecure-registry", true, "allow plain HTTP to HOST[:PORT]; repeatable"},
    {"default-registry", true, "registry for short image names (default docker.io)"},
    {"monitor-path", true, "crid-monitor binary (default " CRID_DEFAULT_MONITOR ")"},
    {"infra-binary", true, "pod infra process binary (default " CRID_DEFAULT_INFRA ")"},
    {"pull-helper", true, "binary each image pull runs in (default " CRID_DEFAULT_PULL_HELPER ")"},
    {"seccomp-default-profile", true, "RuntimeDefault seccomp profile (default " CRID_DEFAULT_SECCOMP_PROFILE ")"},
    {"cgroup-parent", true, "cgroup parent of pods that name none (default /crid)"},
    {"restrict-oom-score-adj", true, "true or false: clamp oom_score_adj to crid's own (default: true without CAP_SYS_RESOURCE)"},
    {"default-shm-size", true, "size of a pod's /dev/shm: BYTES[k|m|g] (default 64m)"},
    {"runtime-handler", true, "NAME=PATH: the runtime binary of a runtime handler; repeatable"},
    {"sync-writes", true, "normal (survive a kill of crid) or full (also a power loss): metadata commits (default full)"},
    {"cni-config-dir", true, "CNI network configs; the first is used (default /etc/cni/net.d)"},
    {"cni-plugin-dir", true, "CNI plugin binaries; repeatable (default /usr/lib/cni, /opt/cni/bin)"},
    {"cni-cache-dir", true, "CNI results cache (default ROOT/cni-cache)"},
    {"stream-address", true, "address of the streaming server (default 127.0.0.1)"},
    {"stream-port", true, "port of the streaming server (default 0: an ephemeral port)"},
    {"stream-idle-timeout", true, "seconds a stream may stay idle (default 14400)"},
    {"stream-enable-tls", true, "[=true|false]: serve the streaming server over TLS (default false)"},
    {"stream-tls-cert", true, "PEM certificate (chain) of the streaming server"},
    {"stream-tls-key", true, "PEM private key of the streaming server"},
    {"stream-tls-ca", true, "PEM CA(s): streaming clients must show a certificate they signed"},
    {"help", false, "show this help"},
    {"version", false, "print the version"},
};

std::string located(const std::string &source, const toml::source_region &where) {
  if (where.begin.line == 0) return source;
  return fmt::format("{}:{}", source, where.begin.line);
}

Result<std::string> get_string(const toml::node &node, const std::string &source, std::string_view key) {
  if (auto s = node.value<std::string>()) return *s;
  return make_error("{}: {}: expected a string", located(source, node.source()), key);
}

Result<bool> get_bool(const toml::node &node, const std::string &source, std::string_view key) {
  if (auto b = node.value<bool>()) return *b;
  return make_error("{}: {}: expected true or false", located(source, node.source()), key);
}

Result<std::vector<std::string>> get_strings(const toml::node &node, const std::string &source,
                                             std::string_view key) {
  const toml::array *array = node.as_array();
  if (!array) return make_error("{}: {}: expected an array of strings", located(source, node.source()), key);
  std::vector<std::string> out;
  for (const toml::node &item : *array) {
    auto s = item.value<std::string>();
    if (!s) return make_error("{}: {}: expected an array of strings", located(source, item.source()), key);
    out.push_back(*s);
  }
  return out;
}

Result<void> load_registries(const toml::node &node, const std::string &source, Config &config) {
  const toml::table *hosts = node.as_table();
  if (!hosts) return make_error("{}: registries: expected a table of registries", located(source, node.source()));
  for (const auto &[host, entry] : *hosts) {
    std::string where = fmt::format("registries.\"{}\"", host.str());
    const toml::table *settings = entry.as_table();
    if (!settings) return make_error("{}: {}: expected a table", located(source, entry.source()), where);
    RegistryConfig &registry = config.registries[std::string(host.str())];
    for (const auto &[key, value] : *settings) {
      std::string name = fmt::format("{}.{}", where, key.str());
      if (key.str() == "insecure") registry.insecure = TRY(get_bool(value, source, name));
      else if (key.str() == "mirrors") registry.mirrors = TRY(get_strings(value, source, name));
      else return make_error("{}: unknown setting {} (expected insecure or mirrors)", located(source, key.source()), name);
    }
  }
  return {};
}

// "64m", "1g", "65536" -> bytes.
Result<uint64_t> parse_size(std::string_view text, std::string_view what) {
  uint64_t n = 0, unit = 1;
  size_t i = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
    if (n > (UINT64_MAX - 9) / 10) return make_error("{} \"{}\": too large", what, text);
    n = n * 10 + uint64_t(text[i] - '0');
  }
  std::string_view suffix = text.substr(i);
  if (suffix == "k" || suffix == "K") unit = 1ull << 10;
  else if (suffix == "m" || suffix == "M") unit = 1ull << 20;
  else if (suffix == "g" || suffix == "G") unit = 1ull << 30;
  else if (!suffix.empty()) return make_error("{} \"{}\": expected BYTES[k|m|g]", what, text);
  if (i == 0 || n == 0) return make_error("{} \"{}\": expected a positive size", what, text);
  return n * unit;
}

Result<bool> parse_bool_flag(std::string_view text, std::string_view what) {
  if (text == "true") return true;
  if (text == "false") return false;
  return make_error("{} \"{}\": expected true or false", what, text);
}

Result<void> load_runtimes(const toml::node &node, const std::string &source, Config &config) {
  const toml::table *handlers = node.as_table();
  if (!handlers) return make_error("{}: runtimes: expected a table of runtime handlers", located(source, node.source()));
  for (const auto &[name, entry] : *handlers) {
    std::string where = fmt::format("runtimes.\"{}\"", name.str());
    const toml::table *settings = entry.as_table();
    if (!settings) return make_error("{}: {}: expected a table", located(source, entry.source()), where);
    for (const auto &[key, value] : *settings) {
      std::string setting = fmt::format("{}.{}", where, key.str());
      if (key.str() == "path") config.runtime_handlers[std::string(name.str())] = TRY(get_string(value, source, setting));
      else return make_error("{}: unknown setting {} (expected path)", located(source, key.source()), setting);
    }
  }
  return {};
}

Result<void> apply_flag(std::string_view name, const std::string &value, Config &config) {
  if (name == "monitor-path") config.monitor_path = value;
  else if (name == "infra-binary") config.infra_binary = value;
  else if (name == "pull-helper") config.pull_helper = value;
  else if (name == "seccomp-default-profile") config.seccomp_default_profile = value;
  else if (name == "cgroup-parent") config.cgroup_parent = value;
  else if (name == "sync-writes") config.sync_writes = value;
  else if (name == "restrict-oom-score-adj") config.restrict_oom_score_adj = TRY(parse_bool_flag(value, "--restrict-oom-score-adj"));
  else if (name == "default-shm-size") config.default_shm_size = TRY(parse_size(value, "--default-shm-size"));
  else if (name == "runtime-handler") {
    auto eq = value.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == value.size())
      return make_error("--runtime-handler \"{}\": expected NAME=PATH", value);
    config.runtime_handlers[value.substr(0, eq)] = value.substr(eq + 1);
  } else if (name == "listen") config.listen = value;
  else if (name == "root") config.root = value;
  else if (name == "state") config.state = value;
  else if (name == "runtime") config.runtime = value;
  else if (name == "log-level") config.log_level = value;
  else if (name == "insecure-registry") config.insecure_registries.push_back(value);
  else if (name == "default-registry") config.default_registry = value;
  else if (name == "cni-config-dir") config.cni_config_dir = value;
  else if (name == "cni-plugin-dir") config.cni_plugin_dirs.push_back(value);
  else if (name == "cni-cache-dir") config.cni_cache_dir = value;
  else if (name == "stream-address") config.stream_address = value;
  else if (name == "stream-enable-tls") config.stream_enable_tls = TRY(parse_bool_flag(value, "--stream-enable-tls"));
  else if (name == "stream-tls-cert") config.stream_tls_cert = value;
  else if (name == "stream-tls-key") config.stream_tls_key = value;
  else if (name == "stream-tls-ca") config.stream_tls_ca = value;
  else if (name == "stream-port" || name == "stream-idle-timeout") {
    int &field = name == "stream-port" ? config.stream_port : config.stream_idle_timeout;
    char *end = nullptr;
    long v = std::strtol(value.c_str(), &end, 10);
    if (value.empty() || *end || v < 0 || v > (name == "stream-port" ? 65535 : 1L << 30))
      return make_error("--{} \"{}\": expected a number{}", name, value, name == "stream-port" ? " from 0 to 65535" : " of seconds");
    field = int(v);
  }
  return {};
}

}  // namespace

std::string Config::socket_path() const {
  if (!listen.starts_with(kUnixScheme)) return {};
  return listen.substr(kUnixScheme.size());
}

std::string Config::runtime_for_handler(const std::string &handler) const {
  auto it = runtime_handlers.find(handler);
  if (it != runtime_handlers.end()) return it->second;
  return handler.empty() ? runtime : std::string();
}

bool Config::is_insecure(std::string_view host) const {
  if (std::find(insecure_registries.begin(), insecure_registries.end(), host) != insecure_registries.end())
    return true;
  auto it = registries.find(std::string(host));
  return it != registries.end() && it->second.insecure;
}

Result<void> load_config_text(std::string_view text, const std::string &source, Config &config) {
  toml::table table;
  try {
    table = toml::parse(text, source);
  } catch (const toml::parse_error &e) {
    return make_error("{}:{}:{}: {}", source, e.source().begin.line, e.source().begin.column, e.description());
  }
  for (const auto &[key, value] : table) {
    std::string_view k = key.str();
    if (k == "listen") config.listen = TRY(get_string(value, source, k));
    else if (k == "root") config.root = TRY(get_string(value, source, k));
    else if (k == "state") config.state = TRY(get_string(value, source, k));
    else if (k == "runtime") config.runtime = TRY(get_string(value, source, k));
    else if (k == "log_level") config.log_level = TRY(get_string(value, source, k));
    else if (k == "default_registry") config.default_registry = TRY(get_string(value, source, k));
    else if (k == "insecure_registries") config.insecure_registries = TRY(get_strings(value, source, k));
    else if (k == "registries") TRY(load_registries(value, source, config));
    else if (k == "monitor_path") config.monitor_path = TRY(get_string(value, source, k));
    else if (k == "infra_binary") config.infra_binary = TRY(get_string(value, source, k));
    else if (k == "pull_helper") config.pull_helper = TRY(get_string(value, source, k));
    else if (k == "seccomp_default_profile") config.seccomp_default_profile = TRY(get_string(value, source, k));
    else if (k == "cgroup_parent") config.cgroup_parent = TRY(get_string(value, source, k));
    else if (k == "sync_writes") config.sync_writes = TRY(get_string(value, source, k));
    else if (k == "restrict_oom_score_adj") config.restrict_oom_score_adj = TRY(get_bool(value, source, k));
    else if (k == "default_shm_size") {
      if (auto n = value.value<int64_t>(); n && *n > 0) config.default_shm_size = uint64_t(*n);
      else config.default_shm_size = TRY(parse_size(TRY(get_string(value, source, k)), located(source, value.source()) + ": default_shm_size"));
    }
    else if (k == "runtimes") TRY(load_runtimes(value, source, config));
    else if (k == "cni_config_dir") config.cni_config_dir = TRY(get_string(value, source, k));
    else if (k == "cni_plugin_dirs") config.cni_plugin_dirs = TRY(get_strings(value, source, k));
    else if (k == "cni_cache_dir") config.cni_cache_dir = TRY(get_string(value, source, k));
    else if (k == "stream_address") config.stream_address = TRY(get_string(value, source, k));
    else if (k == "stream_enable_tls") config.stream_enable_tls = TRY(get_bool(value, source, k));
    else if (k == "stream_tls_cert") config.stream_tls_cert = TRY(get_string(value, source, k));
    else if (k == "stream_tls_key") config.stream_tls_key = TRY(get_string(value, source, k));
    else if (k == "stream_tls_ca") config.stream_tls_ca = TRY(get_string(value, source, k));
    else if (k == "stream_port" || k == "stream_idle_timeout") {
      auto v = value.value<int64_t>();
      int64_t max = k == "stream_port" ? 65535 : int64_t(1) << 30;
      if (!v || *v < 0 || *v > max)
        return make_error("{}: {}: expected an integer from 0 to {}", located(source, value.source()), k, max);
      (k == "stream_port" ? config.stream_port : config.stream_idle_timeout) = int(*v);
    }
    else return make_error("{}: unknown setting \"{}\"", located(source, key.source()), k);
  }
  return {};
}

Result<void> load_config_file(const std::string &path, Config &config) {
  std::ifstream in(path);
  if (!in) return sys_error(errno, "read config file {}", path);
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) return sys_error(errno, "read config file {}", path);
  TRY(load_config_text(text.str(), path, config));
  config.config_path = path;
  return {};
}

Result<void> validate(const Config &config) {
  if (!config.listen.starts_with(kUnixScheme) || !config.socket_path().starts_with('/'))
    return make_error("listen address \"{}\": expected unix:///absolute/path", config.listen);
  for (const auto &[name, path] : {std::pair{"root", &config.root}, std::pair{"state", &config.state},
                                   std::pair{"runtime", &config.runtime},
                                   std::pair{"monitor path", &config.monitor_path},
                                   std::pair{"infra binary", &config.infra_binary},
                                   std::pair{"pull helper", &config.pull_helper},
                                   std::pair{"cgroup parent", &config.cgroup_parent}}) {
    if (!path->starts_with('/')) return make_error("{} \"{}\": expected an absolute path", name, *path);
  }
  for (const auto &[name, path] : config.runtime_handlers)
    if (!path.starts_with('/'))
      return make_error("runtime handler \"{}\": path \"{}\": expected an absolute path", name, path);
  if (!config.cni_config_dir.starts_with('/'))
    return make_error("cni_config_dir \"{}\": expected an absolute path", config.cni_config_dir);
  if (!config.cni_cache_dir.empty() && !config.cni_cache_dir.starts_with('/'))
    return make_error("cni_cache_dir \"{}\": expected an absolute path", config.cni_cache_dir);
  if (config.cni_plugin_dirs.empty()) return make_error("cni_plugin_dirs: must name at least one directory");
  for (const auto &dir : config.cni_plugin_dirs)
    if (!dir.starts_with('/')) return make_error("cni_plugin_dirs: \"{}\": expected an absolute path", dir);
  if (config.stream_enable_tls && (config.stream_tls_cert.empty() || config.stream_tls_key.empty()))
    return make_error("stream_enable_tls: stream_tls_cert and stream_tls_key must name the server's certificate and key");
  TRY(log::parse_level(config.log_level));
  if (config.default_registry.empty()) return make_error("default registry: must not be empty");
  if (config.sync_writes != "normal" && config.sync_writes != "full")
    return make_error("sync_writes \"{}\": expected normal or full", config.sync_writes);
  return {};
}

Result<Invocation> parse_command_line(std::span<const std::string> args) {
  // Flags are collected first: the config file they name is read before any
  // of them is applied, so a flag always wins over the file.
  std::vector<std::pair<std::string_view, std::string>> given;
  Invocation inv;
  for (size_t i = 1; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "-h") arg = "--help";
    if (arg == "-v") arg = "--version";
    if (!arg.starts_with("--")) return make_error("unexpected argument \"{}\" (crid takes only flags)", arg);
    std::string_view name = arg.substr(2);
    std::optional<std::string> value;
    if (auto eq = name.find('='); eq != std::string_view::npos) {
      value = std::string(name.substr(eq + 1));
      name = name.substr(0, eq);
    }
    auto flag = std::find_if(std::begin(kFlags), std::end(kFlags), [&](const Flag &f) { return f.name == name; });
    if (flag == std::end(kFlags)) return make_error("unknown flag --{} (see crid --help)", name);
    if (!flag->takes_value) {
      if (value) return make_error("flag --{} takes no value", name);
      inv.action = name == "help" ? Action::Help : Action::Version;
      continue;
    }
    // Bare, as CRI-O's boolean flag is given; --stream-enable-tls=false also works.
    if (!value && name == "stream-enable-tls") value = "true";
    if (!value) {
      if (i + 1 >= args.size()) return make_error("flag --{} needs a value", name);
      value = args[++i];
    }
    given.emplace_back(flag->name, std::move(*value));
  }
  if (inv.action != Action::Run) return inv;

  std::string config_path;
  for (const auto &[name, value] : given)
    if (name == "config") config_path = value;
  if (!config_path.empty()) {
    TRY(load_config_file(config_path, inv.config));
  } else {
    struct stat st;
    if (::stat(CRID_DEFAULT_CONFIG, &st) == 0) TRY(load_config_file(CRID_DEFAULT_CONFIG, inv.config));
  }
  // --cni-plugin-dir replaces the file's (or the default) list, then each one adds a dir.
  if (std::ranges::any_of(given, [](const auto &g) { return g.first == "cni-plugin-dir"; }))
    inv.config.cni_plugin_dirs.clear();
  for (const auto &[name, value] : given) TRY(apply_flag(name, value, inv.config));
  TRY(validate(inv.config));
  return inv;
}

std::string usage() {
  std::string out =
      "Usage: crid [flags]\n\n"
      "crid serves the Kubernetes Container Runtime Interface (CRI v1) on a unix socket.\n"
      "Settings come from the config file, then from these flags.\n\nFlags:\n";
  for (const Flag &f : kFlags) {
    std::string left = f.takes_value ? fmt::format("--{} VALUE", f.name) : fmt::format("--{}", f.name);
    out += fmt::format("  {:<28} {}\n", left, f.help);
  }
  return out;
}

}  // namespace berth::crid
