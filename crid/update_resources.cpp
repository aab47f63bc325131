#include "crid/update_resources.h"

#include "crid/spawn.h"

namespace berth::crid {

Result<void> update_container_resources(const RuntimeTarget &target, const nlohmann::json &resources) {
  auto what = fmt::format("update resources of container {}", target.container_id);
  if (!resources.is_object()) return std::unexpected(Error{EINVAL, what + ": linux resources must be an object"});
  SpawnRequest request;
  request.argv = runtime_argv(target, {"update", "--resources", "-", target.container_id});
  request.stdin_data = resources.dump();
  // A runtime stuck on a frozen cgroup must not hold the RPC forever.
  request.timeout = std::chrono::seconds(60);
  auto ran = TRY_CTX(run_program(request), what);
  if (ran.timed_out) return std::unexpected(Error{ETIMEDOUT, fmt::format("{}: {} update timed out", what, target.runtime_path)});
  if (ran.exit_code != 0) return std::unexpected(Error{0, fmt::format("{}: {}", what, runtime_error_text(ran))});
  return {};
}

}  // namespace berth::crid
