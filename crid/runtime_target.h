// How crid reaches one container through the OCI runtime binary (berth, runc
// or crun over the runc command-line contract), for the commands it runs
// with run_program: exec, update.
#pragma once

#include <initializer_list>
#include <string>
#include <vector>

namespace berth::crid {

struct RuntimeTarget {
  std::string runtime_path;               // berth, runc or crun
  std::string runtime_root;               // --root: <state>/runtime/<handler>
  std::vector<std::string> runtime_args;  // extra global flags (e.g. --systemd-cgroup)
  std::string container_id;
};

// RUNTIME [global flags] --root ROOT <command...>: global flags must come
// before the subcommand for runc's parser.
inline std::vector<std::string> runtime_argv(const RuntimeTarget &target,
                                             std::initializer_list<std::string> command) {
  std::vector<std::string> argv{target.runtime_path};
  argv.insert(argv.end(), target.runtime_args.begin(), target.runtime_args.end());
  if (!target.runtime_root.empty()) {
    argv.push_back("--root");
    argv.push_back(target.runtime_root);
  }
  argv.insert(argv.end(), command);
  return argv;
}

}  // namespace berth::crid
