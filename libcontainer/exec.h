// Running another process in an existing container (`berth exec`): the
// process is built from the container's config plus the caller's overrides,
// then joins the container's init from outside.
//
//   berth (parent)               joiner (fork)                  process (clone3 CLONE_PARENT)
//   adds joiner to the cgroup
//   Go ────────────────────────▶ setns(pidfd of init, all ns)
//                                clone3 ──────────────────────▶ terminal, rlimits, seccomp,
//                ◀──────────── Ready{pid}, exits               caps, user, cwd, label
//                ◀──────────────────────────────────────────── Error{...}, or EOF at execve
//
// A pid namespace joined with setns only applies to children, hence the
// second process; CLONE_PARENT makes it berth's child, so berth waits for it
// and forwards signals to it as `run` does for an init.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "libcontainer/container.h"
#include "libcontainer/result.h"
#include "libcontainer/spec.h"

namespace berth {

// What the exec command line changes in the config's process (runc's flags).
struct ExecOverrides {
  std::vector<std::string> args;
  std::vector<std::string> env;  // appended; a later KEY= replaces an earlier one
  std::optional<std::string> cwd;
  std::optional<uint32_t> uid, gid;
  std::vector<uint32_t> additional_gids;  // replaces the config's when not empty
  std::vector<std::string> caps;          // added to every capability set
  bool no_new_privs = false;              // only turns it on
  std::optional<std::string> apparmor, process_label;
  bool tty = false;
};

// The exec'd process: the config's process with the overrides applied. Its
// terminal setting is the --tty flag's, not the config's, as runc does.
Result<Process> exec_process(const Process &config, const ExecOverrides &o);

// Reads a --process file (a runtime-spec process object). Errors name the
// file and the JSON path: "p.json: process.args: expected an array of strings".
Result<Process> load_process_file(const std::string &path);

// "1000" or "1000:1000" as --user takes them.
Result<std::pair<uint32_t, std::optional<uint32_t>>> parse_exec_user(std::string_view text);

// Replaces KEY=... entries of env by later ones with the same KEY, keeping
// the first position (what a shell's export does).
std::vector<std::string> merge_env(const std::vector<std::string> &base, const std::vector<std::string> &extra);

struct ExecOptions {
  std::string id;
  std::optional<Process> process;  // from --process; otherwise built from config + overrides
  ExecOverrides overrides;
  std::string console_socket;
  int console_socket_fd = -1;  // an already connected socket (foreground --tty)
  std::string pid_file;
  int preserve_fds = 0;
  std::string sub_cgroup;  // --cgroup: "path" or "controller[,controller]:path"
  bool ignore_paused = false;
};

// Starts the process in the container and returns its pid: a child of the
// caller, which waits for it unless detached. Every namespace of the
// container's init that differs from the caller's is joined, the user
// namespace first. The container must be created or running, not paused.
Result<pid_t> exec_container(const RuntimeOptions &rt, const ExecOptions &opts);

}  // namespace berth
