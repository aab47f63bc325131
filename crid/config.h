// crid's settings: built-in defaults, then the TOML file (--config, default
// /etc/crid/crid.conf), then command-line flags, each overriding the last.
// Every setting in the file is also a flag; see man/crid.8 and contrib/crid.conf.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "libcontainer/result.h"

#ifndef CRID_DEFAULT_RUNTIME
#define CRID_DEFAULT_RUNTIME "/usr/local/bin/berth"
#endif
#ifndef CRID_DEFAULT_MONITOR
#define CRID_DEFAULT_MONITOR "/usr/local/libexec/crid/crid-monitor"
#endif
#ifndef CRID_DEFAULT_INFRA
#define CRID_DEFAULT_INFRA "/usr/local/libexec/crid/crid-pause"
#endif
#ifndef CRID_DEFAULT_PULL_HELPER
#define CRID_DEFAULT_PULL_HELPER "/usr/local/libexec/crid/crid-pull"
#endif
#ifndef CRID_DEFAULT_SECCOMP_PROFILE
#define CRID_DEFAULT_SECCOMP_PROFILE "/usr/local/share/crid/seccomp-default.json"
#endif
#ifndef CRID_DEFAULT_CONFIG
#define CRID_DEFAULT_CONFIG "/etc/crid/crid.conf"
#endif

namespace berth::crid {

struct RegistryConfig {
  bool insecure = false;             // plain HTTP / unverified TLS allowed
  std::vector<std::string> mirrors;  // tried in order before the registry itself
};

struct Config {
  std::string config_path;  // the file that was read; empty when none was
  std::string listen = "unix:///run/crid/crid.sock";
  std::string root = "/var/lib/crid";
  std::string state = "/run/crid";
  std::string runtime = CRID_DEFAULT_RUNTIME;
  std::string log_level = "info";
  std::string default_registry = "docker.io";
  std::vector<std::string> insecure_registries;        // "host[:port]"
  std::map<std::string, RegistryConfig> registries;  // keyed by "host[:port]"
  // Pod networking (netns/): the first CNI config list of cni_config_dir,
  // plugins looked up in cni_plugin_dirs in order, ADD results cached in
  // cni_cache_dir ("" = <root>/cni-cache: persistent, so DEL after a crid
  // restart gets what ADD used).
  std::string cni_config_dir = "/etc/cni/net.d";
  std::vector<std::string> cni_plugin_dirs = {"/usr/lib/cni", "/opt/cni/bin"};
  std::string cni_cache_dir;
  // Streaming server (exec, attach, port-forward URLs): crid/streaming/.
  std::string stream_address = "127.0.0.1";
  int stream_port = 0;               // 0: an ephemeral port
  int stream_idle_timeout = 14400;   // seconds a stream may stay idle (containerd's 4h)
  // https for the streaming server, named as CRI-O names them.
  bool stream_enable_tls = false;
  std::string stream_tls_cert;
  std::string stream_tls_key;
  std::string stream_tls_ca;  // set: clients must show a certificate it signed

  // Pods and containers.
  std::string monitor_path = CRID_DEFAULT_MONITOR;  // crid-monitor
  std::string infra_binary = CRID_DEFAULT_INFRA;    // crid-pause, the sandbox's infra process
  std::string pull_helper = CRID_DEFAULT_PULL_HELPER;  // crid-pull, the process each pull runs in
  std::string seccomp_default_profile = CRID_DEFAULT_SECCOMP_PROFILE;  // RuntimeDefault
  std::string cgroup_parent = "/crid";  // for pods whose config names none
  // Clamp oom_score_adj to crid's own, as containerd's restrict_oom_score_adj;
  // unset: on when crid lacks CAP_SYS_RESOURCE (it could not lower it anyway).
  std::optional<bool> restrict_oom_score_adj;
  uint64_t default_shm_size = 64 << 20;  // a pod's /dev/shm tmpfs, bytes
  // Runtime handlers (RunPodSandboxRequest.runtime_handler): name -> runtime binary.
  // The handler "" is `runtime`.
  std::map<std::string, std::string> runtime_handlers;
  // How the metadata database commits (man/crid.8, sync_writes): "full"
  // (DESIGN.md: synchronous writes for every state change) keeps every
  // acknowledged change across a power loss; "normal" (SQLite WAL,
  // synchronous=NORMAL, no fsync per commit) only across a kill of crid.
  std::string sync_writes = "full";

  // The unix socket path of `listen` ("unix:///run/crid/crid.sock" -> "/run/crid/crid.sock").
  std::string socket_path() const;
  // cni_cache_dir, or its default under root.
  std::string cni_cache_path() const { return cni_cache_dir.empty() ? root + "/cni-cache" : cni_cache_dir; }
  // Is host[:port] allowed plain HTTP, by insecure_registries or its [registries] entry?
  bool is_insecure(std::string_view host) const;
  // The runtime binary of a handler ("" = runtime); ENOENT-free: empty when unknown.
  std::string runtime_for_handler(const std::string &handler) const;
};

enum class Action { Run, Help, Version };

struct Invocation {
  Action action = Action::Run;
  Config config;
};

// Parses crid's command line (args[0] is the program name), reading the
// config file it names (or the default one, when that exists) before the
// flags are applied. Errors name the flag, or the file and line.
Result<Invocation> parse_command_line(std::span<const std::string> args);

// Reads TOML text into config; source names it in errors ("crid.conf:4: ...").
Result<void> load_config_text(std::string_view text, const std::string &source, Config &config);
Result<void> load_config_file(const std::string &path, Config &config);

// Checks values that every source can get wrong: listen address, log level, absolute paths.
Result<void> validate(const Config &config);

std::string usage();

}  // namespace berth::crid
