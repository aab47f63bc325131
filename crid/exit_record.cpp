#include "crid/monitor_protocol.h"

#include <nlohmann/json.hpp>

namespace berth::crid {

std::string exit_record_to_json(const ExitRecord &record) {
  nlohmann::json j = {
      {"exit_code", record.exit_code},
      {"signal", record.signal},
      {"exited_at", record.exited_at_ns},
      {"oom_killed", record.oom_killed},
  };
  if (!record.message.empty()) j["message"] = record.message;
  return j.dump() + "\n";
}

Result<ExitRecord> exit_record_from_json(std::string_view text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return make_error("exit record: not a JSON object");
  ExitRecord record;
  auto number = [&](const char *key, auto &into) -> Result<void> {
    auto it = j.find(key);
    if (it == j.end()) return make_error("exit record: {}: missing", key);
    if (!it->is_number_integer()) return make_error("exit record: {}: not an integer", key);
    into = it->get<std::remove_reference_t<decltype(into)>>();
    return {};
  };
  TRY(number("exit_code", record.exit_code));
  TRY(number("exited_at", record.exited_at_ns));
  if (j.contains("signal")) TRY(number("signal", record.signal));
  if (auto it = j.find("oom_killed"); it != j.end()) {
    if (!it->is_boolean()) return make_error("exit record: oom_killed: not a boolean");
    record.oom_killed = it->get<bool>();
  }
  if (auto it = j.find("message"); it != j.end()) {
    if (!it->is_string()) return make_error("exit record: message: not a string");
    record.message = it->get<std::string>();
  }
  return record;
}

}  // namespace berth::crid
