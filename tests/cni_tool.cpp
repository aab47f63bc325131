// A test-only driver of netns/ for tests/integration/netns_cni.bats (not
// installed): the library's calls, one per subcommand, results as JSON.
//
//   cni_tool [--config-dir D] [--plugin-dir D]... [--cache-dir D] COMMAND ...
//     netns-add PATH | netns-del PATH
//     add ID NETNS [--name N] [--namespace NS] [--uid U] [--port HOST:CTR[/PROTO][@HOSTIP]]...
//     del ID | check ID | cached ID | status
#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "netns/netns.h"
#include "netns/pod_network.h"

using namespace berth;
using namespace berth::netns;

namespace {

int fail(const std::string &message) {
  std::fprintf(stderr, "cni_tool: %s\n", message.c_str());
  return 1;
}

Result<PortMapping> parse_port(std::string spec) {
  PortMapping m;
  if (auto at = spec.find('@'); at != std::string::npos) {
    m.host_ip = spec.substr(at + 1);
    spec.resize(at);
  }
  if (auto slash = spec.find('/'); slash != std::string::npos) {
    m.protocol = spec.substr(slash + 1);
    spec.resize(slash);
  }
  auto colon = spec.find(':');
  if (colon == std::string::npos) return make_error("--port {}: expected HOST:CONTAINER", spec);
  try {
    m.host_port = std::stoi(spec.substr(0, colon));
    m.container_port = std::stoi(spec.substr(colon + 1));
  } catch (const std::exception &) {
    return make_error("--port {}: ports must be numbers", spec);
  }
  return m;
}

nlohmann::json status_json(const PodNetworkStatus &s) {
  return {{"network", s.network_name}, {"ips", s.ips}, {"interfaces", s.result.interfaces.size()}};
}

}  // namespace

int main(int argc, char **argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  PodNetworkConfig config;
  bool dirs_given = false;
  size_t i = 0;
  for (; i < args.size() && args[i].starts_with("--"); i += 2) {
    if (i + 1 >= args.size()) return fail(args[i] + " needs a value");
    if (args[i] == "--config-dir") config.config_dir = args[i + 1];
    else if (args[i] == "--cache-dir") config.cache_dir = args[i + 1];
    else if (args[i] == "--plugin-dir") {
      if (!dirs_given) config.plugin_dirs.clear();
      dirs_given = true;
      config.plugin_dirs.push_back(args[i + 1]);
    } else return fail("unknown flag " + args[i]);
  }
  if (i >= args.size()) return fail("no command (netns-add, netns-del, add, del, check, cached, status)");
  std::string command = args[i++];
  std::vector<std::string> rest(args.begin() + static_cast<long>(i), args.end());
  PodNetwork network(config);

  if (command == "status") {
    auto s = network.status();
    std::printf("%s\n", nlohmann::json{{"ready", s.ready}, {"reason", s.reason}, {"message", s.message},
                                       {"network", s.network_name}}.dump().c_str());
    return 0;
  }
  if (rest.empty()) return fail(command + ": needs an argument");
  if (command == "netns-add") {
    if (auto r = create_pinned_netns(rest[0]); !r) return fail(r.error().message);
    return 0;
  }
  if (command == "netns-del") {
    if (auto r = remove_pinned_netns(rest[0]); !r) return fail(r.error().message);
    return 0;
  }
  if (command == "del") {
    if (auto r = network.teardown(rest[0]); !r) return fail(r.error().message);
    return 0;
  }
  if (command == "check") {
    if (auto r = network.check(rest[0]); !r) return fail(r.error().message);
    return 0;
  }
  if (command == "cached") {
    auto r = network.cached_status(rest[0]);
    if (!r) return fail(r.error().message);
    std::printf("%s\n", *r ? status_json(**r).dump().c_str() : "null");
    return 0;
  }
  if (command == "add") {
    if (rest.size() < 2) return fail("add: needs ID and NETNS");
    PodNetworkRequest req{.sandbox_id = rest[0], .pod_name = "pod", .pod_namespace = "default",
                          .pod_uid = "uid-" + rest[0], .netns_path = rest[1]};
    for (size_t j = 2; j < rest.size(); j += 2) {
      if (j + 1 >= rest.size()) return fail(rest[j] + " needs a value");
      if (rest[j] == "--name") req.pod_name = rest[j + 1];
      else if (rest[j] == "--namespace") req.pod_namespace = rest[j + 1];
      else if (rest[j] == "--uid") req.pod_uid = rest[j + 1];
      else if (rest[j] == "--port") {
        auto m = parse_port(rest[j + 1]);
        if (!m) return fail(m.error().message);
        req.port_mappings.push_back(*m);
      } else return fail("add: unknown flag " + rest[j]);
    }
    auto r = network.setup(req);
    if (!r) return fail(r.error().message);
    std::printf("%s\n", status_json(*r).dump().c_str());
    return 0;
  }
  return fail("unknown command " + command);
}
