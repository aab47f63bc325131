#include "libcontainer/log.h"
#include "runtime/commands.h"

namespace berth::cmd {

namespace {
const std::vector<cli::Option> kCreateOptions = {
    {"bundle", 'b', true, "path to the root of the bundle directory (default: current directory)", "DIR"},
    {"console-socket", 0, true, "unix socket that receives the pty master when process.terminal is true", "PATH"},
    {"pid-file", 0, true, "file to write the container init's pid to", "FILE"},
    {"no-pivot", 0, false, "do not use pivot_root (for a rootfs on a ramdisk)"},
    {"no-new-keyring", 0, false, "do not create a new session keyring for the container"},
    {"preserve-fds", 0, true, "pass N additional file descriptors (from fd 3) to the container", "N"},
};

std::vector<cli::Option> run_options() {
  auto o = kCreateOptions;
  o.push_back({"detach", 'd', false, "detach from the container's process"});
  o.push_back({"keep", 0, false, "do not delete the container after it exits"});
  return o;
}
}  // namespace

const std::vector<Command> &commands() {
  static const std::vector<Command> table = {
      {"spec", "", "create a new specification file (config.json)",
       {{"bundle", 'b', true, "directory to write config.json in", "DIR"},
        {"rootless", 0, false, "generate a configuration for a rootless container"}},
       0, 0, spec},
      {"create", "<container-id>", "create a container", kCreateOptions, 1, 1, create},
      {"start", "<container-id>", "start the user-defined process of a created container", {}, 1, 1, start},
      {"run", "<container-id>", "create and run a container", run_options(), 1, 1, run},
      {"state", "<container-id>", "output the state of a container", {}, 1, 1, state},
      {"list", "", "list the containers started by berth with the given --root",
       {{"format", 'f', true, "output format: table or json", "FORMAT"},
        {"quiet", 'q', false, "display only container ids"}},
       0, 0, list},
      {"kill", "<container-id> [signal]", "send a signal (default SIGTERM) to the container's init",
       {{"all", 'a', false, "send the signal to every process in the container"}}, 1, 2, kill},
      {"delete", "<container-id>", "delete a stopped container and everything it holds",
       {{"force", 'f', false, "kill the container first if it is still running"}}, 1, 1, del},
      {"exec", "<container-id> <command> [args...]", "run a process in a container", kExecOptions, 1, SIZE_MAX, exec,
       true},
      {"features", "", "show the enabled features", {}, 0, 0, features},
  };
  return table;
}

int fail(std::string_view command, std::string_view id, const Error &e) {
  if (id.empty())
    log::error(fmt::format("{}: {}", command, e.message));
  else
    log::error(fmt::format("{} {}: {}", command, id, e.message));
  return 1;
}

}  // namespace berth::cmd
