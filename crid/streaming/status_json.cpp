#include "crid/streaming/status_json.h"

#include <nlohmann/json.hpp>

namespace berth::crid::streaming {

std::string exit_status_json(int exit_code) {
  nlohmann::ordered_json j;
  j["metadata"] = nlohmann::json::object();
  if (exit_code == 0) {
    j["status"] = "Success";
    return j.dump();
  }
  j["status"] = "Failure";
  j["message"] = fmt::format("command terminated with non-zero exit code: exit status {}", exit_code);
  j["reason"] = "NonZeroExitCode";
  nlohmann::ordered_json cause;
  cause["reason"] = "ExitCode";
  cause["message"] = std::to_string(exit_code);
  j["details"]["causes"] = nlohmann::ordered_json::array({cause});
  return j.dump();
}

std::string internal_error_status_json(std::string_view message) {
  nlohmann::ordered_json j;
  j["metadata"] = nlohmann::json::object();
  j["status"] = "Failure";
  j["message"] = fmt::format("Internal error occurred: {}", message);
  j["reason"] = "InternalError";
  nlohmann::ordered_json cause;
  cause["message"] = std::string(message);
  j["details"]["causes"] = nlohmann::ordered_json::array({cause});
  j["code"] = 500;
  return j.dump();
}

Result<int> exit_code_from_status(std::string_view text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return make_error("error stream: not a JSON Status: {}", std::string(text));
  std::string status = j.value("status", "");
  if (status == "Success") return 0;
  std::string message = j.value("message", "");
  if (j.value("reason", "") == "NonZeroExitCode" && j.contains("details")) {
    for (const auto &cause : j["details"].value("causes", nlohmann::json::array())) {
      if (cause.value("reason", "") != "ExitCode") continue;
      std::string code = cause.value("message", "");
      try {
        return std::stoi(code);
      } catch (...) {
        return make_error("error stream: exit code {:?} is not a number", code);
      }
    }
  }
  return make_error("{}", message.empty() ? std::string(text) : message);
}

}  // namespace berth::crid::streaming
