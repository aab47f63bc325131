// The command table: every subcommand's names, one-line usage and handler.
// main.cpp parses the global flags and dispatches through it; --help prints it.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crid/ctl/cli_args.h"
#include "crid/ctl/rpc.h"

namespace berth::cridctl {

using Argv = std::vector<std::string>;
using CommandFn = int (*)(const Globals &, const Argv &);

struct Command {
  std::string_view name;
  std::vector<std::string_view> aliases;
  std::string_view synopsis;  // flags and arguments, for --help
  std::string_view summary;
  CommandFn run;
};

std::span<const Command> commands();
const Command *find_command(std::string_view name);

// Images (image_commands.cpp)
int cmd_version(const Globals &, const Argv &);
int cmd_info(const Globals &, const Argv &);
int cmd_pull(const Globals &, const Argv &);
int cmd_images(const Globals &, const Argv &);
int cmd_inspecti(const Globals &, const Argv &);
int cmd_rmi(const Globals &, const Argv &);
int cmd_imagefsinfo(const Globals &, const Argv &);
// Pods (pod_commands.cpp)
int cmd_runp(const Globals &, const Argv &);
int cmd_pods(const Globals &, const Argv &);
int cmd_inspectp(const Globals &, const Argv &);
int cmd_stopp(const Globals &, const Argv &);
int cmd_rmp(const Globals &, const Argv &);
// Containers (container_commands.cpp)
int cmd_create(const Globals &, const Argv &);
int cmd_start(const Globals &, const Argv &);
int cmd_ps(const Globals &, const Argv &);
int cmd_inspect(const Globals &, const Argv &);
int cmd_stop(const Globals &, const Argv &);
int cmd_rm(const Globals &, const Argv &);
int cmd_update(const Globals &, const Argv &);
// logs_command.cpp, exec_command.cpp, stats_commands.cpp
int cmd_logs(const Globals &, const Argv &);
int cmd_exec(const Globals &, const Argv &);
int cmd_stats(const Globals &, const Argv &);
int cmd_statsp(const Globals &, const Argv &);
// stream_commands.cpp: through crid's streaming server, and the event stream
int exec_streaming(const Globals &, const ParsedArgs &);
// exec, attach and port-forward: trusting an https streaming server.
inline const std::vector<FlagSpec> kStreamTlsFlags = {
    {"certificate-authority", 0, true}, {"insecure-skip-tls-verify"}, {"client-certificate", 0, true},
    {"client-key", 0, true}};
int cmd_attach(const Globals &, const Argv &);
int cmd_port_forward(const Globals &, const Argv &);
int cmd_events(const Globals &, const Argv &);

}  // namespace berth::cridctl
