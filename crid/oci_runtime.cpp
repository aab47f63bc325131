#include "crid/oci_runtime.h"

#include <chrono>

#include <nlohmann/json.hpp>

#include "crid/spawn.h"

namespace berth::crid {

namespace {

// A runtime that hangs must not hang the RPC that called it forever.
constexpr std::chrono::seconds kRuntimeTimeout{60};

Result<SpawnResult> run(const OciRuntime &rt, std::vector<std::string> args) {
  std::vector<std::string> argv = {rt.path(), "--root", rt.root()};
  argv.insert(argv.end(), args.begin(), args.end());
  SpawnRequest request;
  request.argv = std::move(argv);
  request.timeout = kRuntimeTimeout;
  auto result = TRY(run_program(request));
  if (result.timed_out) return make_error("{} {} {}: no answer within {}s", rt.path(), args.front(), args.back(), kRuntimeTimeout.count());
  return result;
}

bool says_not_found(const SpawnResult &r) {
  std::string text = r.err + r.out;
  return text.find("does not exist") != std::string::npos || text.find("not found") != std::string::npos ||
         text.find("No such file") != std::string::npos;
}

}  // namespace

Result<void> OciRuntime::start(const std::string &id) const {
  auto r = TRY(run(*this, {"start", id}));
  if (r.exit_code != 0) return make_error("{} start {}: {}", path_, id, runtime_error_text(r));
  return {};
}

Result<void> OciRuntime::kill(const std::string &id, const std::string &signal) const {
  auto r = TRY(run(*this, {"kill", id, signal}));
  if (r.exit_code != 0) return make_error("{} kill {} {}: {}", path_, id, signal, runtime_error_text(r));
  return {};
}

Result<void> OciRuntime::kill_all(const std::string &id, const std::string &signal) const {
  auto r = TRY(run(*this, {"kill", "--all", id, signal}));
  if (r.exit_code != 0) return make_error("{} kill --all {} {}: {}", path_, id, signal, runtime_error_text(r));
  return {};
}

Result<void> OciRuntime::remove(const std::string &id) const {
  auto r = TRY(run(*this, {"delete", "--force", id}));
  if (r.exit_code != 0 && !says_not_found(r)) return make_error("{} delete --force {}: {}", path_, id, runtime_error_text(r));
  return {};
}

Result<std::string> OciRuntime::status(const std::string &id) const {
  auto r = TRY(run(*this, {"state", id}));
  if (r.exit_code != 0) {
    if (says_not_found(r)) return std::string();
    return make_error("{} state {}: {}", path_, id, runtime_error_text(r));
  }
  try {
    return nlohmann::json::parse(r.out).at("status").get<std::string>();
  } catch (const nlohmann::json::exception &e) {
    return make_error("{} state {}: unexpected output: {}", path_, id, e.what());
  }
}

}  // namespace berth::crid
