#include "crid/ctl/commands.h"

namespace berth::cridctl {

namespace {

const std::vector<Command> &table() {
  static const std::vector<Command> t = {
      {"version", {}, "", "runtime name and version", cmd_version},
      {"info", {}, "", "runtime status and configuration (JSON)", cmd_info},
      {"pull", {}, "[--creds USER[:PASS]] [--auth BASE64] IMAGE", "pull an image", cmd_pull},
      {"images", {"image", "img"}, "[-q] [-o table|json|yaml] [--digests] [--no-trunc] [IMAGE]", "list images",
       cmd_images},
      {"inspecti", {}, "[-q] [-o json|yaml] IMAGE...", "status of images", cmd_inspecti},
      {"rmi", {}, "IMAGE...", "remove images", cmd_rmi},
      {"imagefsinfo", {}, "[-o json|yaml]", "usage of the image filesystem", cmd_imagefsinfo},
      {"runp", {}, "[-r HANDLER] POD.json", "run a pod sandbox; prints its id", cmd_runp},
      {"pods", {}, "[--id ID] [--name RE] [--namespace RE] [-s ready|notready] [--label K=V]... [-l] [-n N]\n"
                   "      [-q] [-v] [--no-trunc] [-o table|json|yaml|name]",
       "list pod sandboxes", cmd_pods},
      {"inspectp", {}, "[-o json|yaml|table] [-q] POD-ID...", "status of pod sandboxes", cmd_inspectp},
      {"stopp", {}, "POD-ID...", "stop pod sandboxes", cmd_stopp},
      {"rmp", {}, "[-f] [-a] POD-ID...", "remove pod sandboxes", cmd_rmp},
      {"create", {}, "POD-ID CONTAINER.json POD.json", "create a container in a pod; prints its id", cmd_create},
      {"start", {}, "CONTAINER-ID...", "start created containers", cmd_start},
      {"ps", {}, "[-a] [--id ID] [-p POD-ID] [--name RE] [--namespace RE] [-s STATE] [--label K=V]...\n"
                 "      [-l] [-n N] [-q] [-v] [--no-trunc] [-o table|json|yaml|name]",
       "list containers", cmd_ps},
      {"inspect", {}, "[-o json|yaml|table] [-q] CONTAINER-ID...", "status of containers", cmd_inspect},
      {"stop", {}, "[-t SECONDS] [-a] CONTAINER-ID...", "stop running containers", cmd_stop},
      {"rm", {}, "[-f] [-a] [-k] CONTAINER-ID...", "remove containers", cmd_rm},
      {"logs", {}, "[-f] [--tail N] [-t] [--since TIME] [-s stdout|stderr] CONTAINER-ID",
       "print a container's log", cmd_logs},
      {"exec", {}, "[-s] [--timeout SECONDS] [-i] [-t] [--transport spdy|websocket] CONTAINER-ID COMMAND [ARG...]",
       "run a command in a running container", cmd_exec},
      {"attach", {}, "[-i] [-t] [--transport spdy|websocket] CONTAINER-ID", "attach to a running container's stdio",
       cmd_attach},
      {"port-forward", {}, "POD-ID [LOCAL:]REMOTE...", "forward local ports to ports in a pod", cmd_port_forward},
      {"events", {}, "[-o json|table]", "watch container lifecycle events", cmd_events},
      {"stats", {}, "[-a] [--id ID] [-p POD-ID] [--label K=V]... [-s SECONDS] [-o table|json|yaml] [ID]",
       "resource usage of containers", cmd_stats},
      {"statsp", {}, "[--id ID] [--label K=V]... [-o table|json|yaml] [POD-ID]", "resource usage of pods",
       cmd_statsp},
      {"update",
       {},
       "[--cpu-shares N] [--cpu-quota N] [--cpu-period N] [--cpuset-cpus LIST]\n"
       "      [--cpuset-mems LIST] [--memory BYTES] CONTAINER-ID...",
       "change a container's resources",
       cmd_update},
  };
  return t;
}

}  // namespace

std::span<const Command> commands() { return table(); }

const Command *find_command(std::string_view name) {
  for (const auto &c : table()) {
    if (c.name == name) return &c;
    for (auto a : c.aliases)
      if (a == name) return &c;
  }
  return nullptr;
}

}  // namespace berth::cridctl
