// Container lifecycle over the state store: create, start, state, kill,
// delete, list. The `berth` command line is a thin layer over these.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "libcontainer/result.h"
#include "libcontainer/state.h"

namespace berth {

struct RuntimeOptions {
  std::string root = "/run/berth";
  bool systemd_cgroup = false;
  bool rootless = false;  // id maps through newuidmap, cgroups skipped when not writable
  std::string criu = "criu";  // --criu: a path, or a name looked up in PATH
};

struct CreateOptions {
  std::string id;
  std::string bundle = ".";
  std::string pid_file;
  std::string console_socket;
  int console_socket_fd = -1;  // an already connected socket instead of a path (run in the foreground)
  bool no_pivot = false;
  bool no_new_keyring = false;
  int preserve_fds = 0;
};

// Creates the container and leaves its init waiting for start. Returns the
// init's pid (a child of the caller, which `run` waits for).
Result<pid_t> create_container(const RuntimeOptions &rt, const CreateOptions &opts);

Result<void> start_container(const RuntimeOptions &rt, const std::string &id);

struct StateView {
  ContainerState state;
  Status status;
};
Result<StateView> container_state(const RuntimeOptions &rt, const std::string &id);
// runc's `state` JSON.
std::string state_json_text(const StateView &v);

Result<void> kill_container(const RuntimeOptions &rt, const std::string &id, int signal, bool all);

// Without force, a container that is not stopped is an error and is left as it was.
Result<void> delete_container(const RuntimeOptions &rt, const std::string &id, bool force);

Result<std::vector<StateView>> list_containers(const RuntimeOptions &rt);

}  // namespace berth
