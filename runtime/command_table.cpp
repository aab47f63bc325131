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

const std::vector<cli::Option> kUpdateOptions = {
    {"resources", 'r', true, "path to a JSON file of linux.resources to apply; - reads stdin", "FILE"},
    {"memory", 0, true, "memory limit in bytes (suffixes k, m, g); -1 for unlimited", "SIZE"},
    {"memory-reservation", 0, true, "memory soft limit in bytes", "SIZE"},
    {"memory-swap", 0, true, "memory plus swap limit in bytes; -1 for unlimited", "SIZE"},
    {"kernel-memory", 0, true, "ignored: kernel memory limits are deprecated", "SIZE"},
    {"kernel-memory-tcp", 0, true, "kernel TCP buffer memory limit in bytes (cgroup v1)", "SIZE"},
    {"cpu-share", 0, true, "CPU shares (relative weight against other containers)", "N"},
    {"cpu-shares", 0, true, "same as --cpu-share", "N"},
    {"cpu-period", 0, true, "CPU CFS period in microseconds", "N"},
    {"cpu-quota", 0, true, "CPU CFS quota in microseconds per period; -1 for unlimited", "N"},
    {"cpu-burst", 0, true, "CPU CFS burst in microseconds", "N"},
    {"cpu-idle", 0, true, "1 to give the container SCHED_IDLE priority against its siblings", "N"},
    {"cpu-rt-period", 0, true, "CPU realtime period in microseconds", "N"},
    {"cpu-rt-runtime", 0, true, "CPU realtime runtime in microseconds per period", "N"},
    {"cpuset-cpus", 0, true, "CPUs the container may run on (0-3, 0,1)", "LIST"},
    {"cpuset-mems", 0, true, "memory nodes the container may use (0-3, 0,1)", "LIST"},
    {"pids-limit", 0, true, "maximum number of processes; -1 for unlimited", "N"},
    {"blkio-weight", 0, true, "block IO weight, 10 to 1000", "N"},
    {"l3-cache-schema", 0, true, "Intel RDT/CAT L3 cache schema for the container's resctrl group", "SCHEMA"},
    {"mem-bw-schema", 0, true, "Intel RDT/MBA memory bandwidth schema for the container's resctrl group", "SCHEMA"},
};

std::vector<cli::Option> run_options() {
  auto o = kCreateOptions;
  o.push_back({"detach", 'd', false, "detach from the container's process"});
  o.push_back({"keep", 0, false, "do not delete the container after it exits"});
  // runc makes itself the child subreaper of a foreground run; berth never
  // does, so there is nothing to turn off: accepted so runc command lines work.
  o.push_back({"no-subreaper", 0, false, "accepted for runc compatibility (berth is never a subreaper)"});
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
      {"pause", "<container-id>", "suspend all processes of the container (cgroup freezer)", {}, 1, 1, pause},
      {"resume", "<container-id>", "resume all processes of a paused container", {}, 1, 1, resume},
      {"update", "<container-id>", "update the resource limits of a container", kUpdateOptions, 1, 1, update},
      {"events", "<container-id>", "display container events: OOM notifications and resource usage",
       {{"interval", 0, true, "interval between stats reports (default 5s)", "DURATION"},
        {"stats", 0, false, "print the container's resource usage once and exit"}},
       1, 1, events},
      {"ps", "<container-id> [-- ps options]", "list the processes running in a container (ps options default: -ef)",
       {{"format", 'f', true, "output format: table or json", "FORMAT"}}, 1, 64, ps, true},
      {"exec", "<container-id> <command> [args...]", "run a process in a container", kExecOptions, 1, SIZE_MAX, exec,
       true},
      {"features", "", "show the enabled features", {}, 0, 0, features},
      {"checkpoint", "<container-id>", "checkpoint a running container (criu)", kCheckpointOptions, 1, 1, checkpoint},
      {"restore", "<container-id>", "restore a container from a checkpoint (criu)", kRestoreOptions, 1, 1, restore},
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
