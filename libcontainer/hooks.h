// OCI hooks (config.md "POSIX-platform Hooks"): one table of kinds, running a
// hook with the state JSON on its stdin, and keeping the hooks in state.json
// so `start` and `delete` can run poststart and poststop without the bundle.
//
// Who runs what, and where (runtime.md lifecycle):
//   prestart, createRuntime  the parent (`create`), in the runtime's namespaces,
//                            while the init waits after its mounts, before pivot_root
//   createContainer          the init, in the container's namespaces, before pivot_root
//   startContainer           the init, after `start` released it, before execve
//   poststart                `start`, after the release; a failure is only a warning
//   poststop                 `delete`, after the container is gone; only a warning
#pragma once

#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "libcontainer/result.h"
#include "libcontainer/spec.h"

namespace berth {

enum class HookKind { Prestart, CreateRuntime, CreateContainer, StartContainer, Poststart, Poststop };

struct HookKindName {
  HookKind kind;
  std::string_view name;  // as config.json spells it: "createRuntime"
};
std::span<const HookKindName> hook_kinds();
std::string_view hook_kind_name(HookKind kind);

const std::vector<Hook> &hooks_of(const Hooks &hooks, HookKind kind);

// Runs one hook: fork, the state on stdin, path/args/env as given, killed
// after hook.timeout seconds. `where` names it in errors ("hooks.prestart[0]").
// Errors carry the path and the exit status or signal.
Result<void> run_hook(const Hook &hook, std::string_view state_json, std::string_view where);

// Runs the hooks of one kind in order; the first failure stops the rest.
Result<void> run_hooks(const Hooks &hooks, HookKind kind, std::string_view state_json);

// For state.json's extra: only the kinds run after create need to survive it,
// but all are kept so `state` readers see what the config asked.
nlohmann::json hooks_to_json(const Hooks &hooks);
Hooks hooks_from_json(const nlohmann::json &j);

// Whether the init must stop before pivot_root so the parent can run
// prestart/createRuntime, and learn the state JSON for its own hooks.
bool hooks_need_handshake(const Hooks &hooks);

}  // namespace berth
