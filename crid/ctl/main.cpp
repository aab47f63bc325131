// cridctl: a CRI client for people and tests. Subcommands, flags and output
// follow crictl's, so crictl users feel at home:
//   cridctl [-r ENDPOINT] [-i ENDPOINT] [-t SECONDS] COMMAND [flags] [args]
// This file reads the global flags and dispatches through the command table.
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include <fmt/core.h>

#include <config.h>  // the build's (autoconf); crid/config.h is crid's settings
#include "crid/ctl/commands.h"

namespace {

using namespace berth::cridctl;

constexpr const char *kDefaultEndpoint = "unix:///run/crid/crid.sock";

void usage(FILE *out) {
  fmt::print(out,
             "Usage: cridctl [global flags] COMMAND [flags] [args]\n\n"
             "A CRI client for crid, with crictl's commands and output.\n\nCommands:\n");
  for (const auto &c : commands()) {
    std::string names(c.name);
    for (auto alias : c.aliases) names += fmt::format(", {}", alias);
    fmt::print(out, "  {:<12} {}\n", names.size() > 12 ? std::string(c.name) : names, c.summary);
    if (!c.synopsis.empty()) fmt::print(out, "      {} {}\n", c.name, c.synopsis);
  }
  fmt::print(out,
             "\nGlobal flags:\n"
             "  -r, --runtime-endpoint ADDR    runtime service address (default $CONTAINER_RUNTIME_ENDPOINT or {0})\n"
             "  -i, --image-endpoint ADDR      image service address (default $IMAGE_SERVICE_ENDPOINT,\n"
             "                                 else the runtime endpoint)\n"
             "  -t, --timeout SECONDS          timeout for connecting and for each call (default 10;\n"
             "                                 pull, exec and logs -f are not limited)\n"
             "  -h, --help                     show this help\n"
             "  -v, --version                  print cridctl's version\n\n"
             "Pod and container configs are JSON (crictl's pod-config.json and container-config.json work).\n"
             "IDs may be given as any unique prefix. See cridctl(1).\n",
             kDefaultEndpoint);
}

}  // namespace

int main(int argc, char **argv) {
  Globals g;
  const char *env_runtime = std::getenv("CONTAINER_RUNTIME_ENDPOINT");
  const char *env_image = std::getenv("IMAGE_SERVICE_ENDPOINT");
  g.runtime_endpoint = env_runtime && *env_runtime ? env_runtime : kDefaultEndpoint;
  std::string image_endpoint = env_image && *env_image ? env_image : "";

  std::vector<std::string> args(argv + 1, argv + argc);
  size_t i = 0;
  for (; i < args.size() && args[i].starts_with("-"); ++i) {
    std::string a = args[i];
    std::optional<std::string> value;
    if (auto eq = a.find('='); eq != std::string::npos && a.starts_with("--")) {
      value = a.substr(eq + 1);
      a = a.substr(0, eq);
    }
    auto take = [&]() -> std::string {
      if (value) return *value;
      if (i + 1 >= args.size()) fail(fmt::format("flag {} needs a value", a));
      return args[++i];
    };
    if (a == "-r" || a == "--runtime-endpoint") {
      g.runtime_endpoint = take();
    } else if (a == "-i" || a == "--image-endpoint") {
      image_endpoint = take();
    } else if (a == "-t" || a == "--timeout") {
      std::string t = take();
      if (t.ends_with("s")) t.pop_back();
      char *end = nullptr;
      g.timeout_seconds = std::strtod(t.c_str(), &end);
      if (t.empty() || *end || g.timeout_seconds <= 0) fail(fmt::format("--timeout: expected seconds, got \"{}\"", t));
    } else if (a == "-h" || a == "--help") {
      usage(stdout);
      return 0;
    } else if (a == "-v" || a == "--version") {
      fmt::print("cridctl version {}\n", PACKAGE_VERSION);
      return 0;
    } else {
      fail(fmt::format("unknown flag {} (see cridctl --help)", a));
    }
  }
  g.image_endpoint = image_endpoint.empty() ? g.runtime_endpoint : image_endpoint;
  if (i >= args.size()) {
    usage(stderr);
    return 1;
  }
  std::string name = args[i];
  if (name == "help") {
    usage(stdout);
    return 0;
  }
  const Command *command = find_command(name);
  if (!command) fail(fmt::format("unknown command \"{}\" (see cridctl --help)", name));
  std::vector<std::string> rest(args.begin() + static_cast<long>(i) + 1, args.end());
  for (const auto &r : rest) {
    // exec's command may have a --help of its own.
    if (command->name == "exec" && !r.starts_with("-")) break;
    if (r == "-h" || r == "--help") {
      fmt::print("Usage: cridctl {} {}\n  {}\n", command->name, command->synopsis, command->summary);
      return 0;
    }
  }
  return command->run(g, rest);
}
