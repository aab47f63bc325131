// berth: the command line. Parses the global flags, picks the subcommand, and
// hands over; the work is done in libcontainer.
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include <fmt/ranges.h>

#include "config.h"
#include "libcontainer/log.h"
#include "libcontainer/rootless.h"
#include "runtime/commands.h"

#ifdef HAVE_LIBSECCOMP
#include <seccomp.h>
#endif

namespace {

using berth::cli::Option;

const std::vector<Option> kGlobalOptions = {
    {"root", 0, true, "root directory for container state (default: /run/berth)", "DIR"},
    {"log", 0, true, "write the runtime's log to FILE (default: stderr only)", "FILE"},
    {"log-format", 0, true, "log format: text or json (default: text)", "FORMAT"},
    {"debug", 0, false, "enable debug logging"},
    {"systemd-cgroup", 0, false, "use the systemd cgroup driver (cgroupsPath is slice:prefix:name)"},
    {"rootless", 0, true, "rootless mode: true, false or auto (default: auto)", "VALUE"},
    {"criu", 0, true, "criu binary for checkpoint and restore: a path or a name in PATH (default: criu)", "PATH"},
    {"version", 'v', false, "print the version"},
};

void print_version() {
  fmt::print("berth version {}\nspec: 1.3.0\n", PACKAGE_VERSION);
#ifdef HAVE_LIBSECCOMP
  const scmp_version *v = seccomp_version();
  fmt::print("libseccomp: {}.{}.{}\n", v->major, v->minor, v->micro);
#endif
}

void print_usage() {
  fmt::print(
      "NAME:\n   berth - an OCI container runtime with runc's command line\n\n"
      "USAGE:\n   berth [global options] command [command options] [arguments...]\n\nCOMMANDS:\n");
  for (const auto &c : berth::cmd::commands()) fmt::print("   {:<10} {}\n", c.name, c.summary);
  fmt::print("\nGLOBAL OPTIONS:\n{}", berth::cli::format_options(kGlobalOptions));
}

void print_command_usage(const berth::cmd::Command &c) {
  fmt::print("NAME:\n   berth {} - {}\n\nUSAGE:\n   berth {} [command options] {}\n", c.name, c.summary, c.name,
             c.args_usage);
  fmt::print("\nOPTIONS:\n{}", berth::cli::format_options(c.options));
}

}  // namespace

int main(int argc, char **argv) {
  std::vector<std::string> args(argv, argv + argc);
  auto global = berth::cli::parse(args, 1, kGlobalOptions, true);
  if (!global) {
    fmt::print(stderr, "berth: {}\n", global.error().message);
    return 1;
  }
  if (global->flag("version")) {
    print_version();
    return 0;
  }
  if (global->positional.empty() || global->help || global->positional[0] == "help") {
    if (global->positional.size() > 1) args = {args[0], global->positional[1], "--help"};
    else {
      print_usage();
      return global->positional.empty() && !global->help ? 1 : 0;
    }
    global = berth::cli::parse(args, 1, kGlobalOptions, true);
  }

  std::string format = global->get("log-format", "text");
  if (format != "text" && format != "json") {
    fmt::print(stderr, "berth: --log-format: expected text or json, got \"{}\"\n", format);
    return 1;
  }
  if (!berth::log::init(global->get("log"), format == "json" ? berth::log::Format::Json : berth::log::Format::Text,
                        global->flag("debug"))) {
    // runc refuses to run without the log it was asked for (containerd reads it).
    fmt::print(stderr, "berth: --log {}: {}\n", global->get("log"), std::strerror(errno));
    return 1;
  }

  berth::cmd::Context ctx;
  ctx.runtime.root = global->get("root", "/run/berth");
  ctx.runtime.systemd_cgroup = global->flag("systemd-cgroup");
  ctx.runtime.criu = global->get("criu", "criu");
  ctx.rootless = global->get("rootless", "auto");
  if (ctx.rootless != "true" && ctx.rootless != "false" && ctx.rootless != "auto") {
    berth::log::error(fmt::format("--rootless: expected true, false or auto, got \"{}\"", ctx.rootless));
    return 1;
  }
  ctx.runtime.rootless = berth::rootless_mode(ctx.rootless);
  if (ctx.runtime.rootless && !global->has("root")) ctx.runtime.root = berth::rootless_state_root();

  const std::string &name = global->positional[0];
  size_t cmd_index = args.size() - global->positional.size();
  for (const auto &c : berth::cmd::commands()) {
    if (c.name != name) continue;
    auto p = berth::cli::parse(args, cmd_index + 1, c.options, c.stop_at_positional);
    if (!p) {
      berth::log::error(fmt::format("{}: {}", name, p.error().message));
      return 1;
    }
    if (p->help) {
      print_command_usage(c);
      return 0;
    }
    if (p->positional.size() < c.min_args || p->positional.size() > c.max_args) {
      berth::log::error(fmt::format("{}: expected {} argument{}: berth {} {}", name,
                                    c.min_args == c.max_args ? std::to_string(c.min_args)
                                                             : fmt::format("{} to {}", c.min_args, c.max_args),
                                    c.max_args == 1 ? "" : "s", name, c.args_usage));
      return 1;
    }
    berth::log::debug(fmt::format("berth {}: {} (root {})", PACKAGE_VERSION,
                                  fmt::join(args.begin() + static_cast<long>(cmd_index), args.end(), " "),
                                  ctx.runtime.root));
    return c.run(ctx, *p);
  }
  berth::log::error(fmt::format("no such command \"{}\" (see berth --help)", name));
  return 1;
}
