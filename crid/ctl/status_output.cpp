#include "crid/ctl/status_output.h"

#include <map>

#include <fmt/core.h>

#include "crid/ctl/command_support.h"

namespace berth::cridctl {

namespace v1 = runtime::v1;

ojson pod_status_json(const v1::PodSandboxStatus &status) {
  ojson j = message_json(status);
  j["createdAt"] = rfc3339_nano(status.created_at());
  return j;
}

ojson container_status_json(const v1::ContainerStatus &status) {
  ojson j = message_json(status);
  j["createdAt"] = rfc3339_nano(status.created_at());
  // A created container has not started; only an exited one has finished.
  std::optional<int64_t> started, finished;
  if (status.state() != v1::CONTAINER_CREATED) started = status.started_at();
  if (status.state() == v1::CONTAINER_EXITED || (status.state() == v1::CONTAINER_UNKNOWN && status.finished_at() > 0))
    finished = status.finished_at();
  j["startedAt"] = rfc3339_nano(started);
  j["finishedAt"] = rfc3339_nano(finished);
  return j;
}

ojson status_document(const ojson &status, const google::protobuf::Map<std::string, std::string> &info) {
  std::map<std::string, ojson> sorted;
  ojson parsed = info_json(info);
  for (auto &[k, v] : parsed.items()) sorted[k] = v;
  sorted["status"] = status;
  ojson doc = ojson::object();
  for (auto &[k, v] : sorted) doc[k] = v;
  return doc;
}

ojson status_documents(std::vector<ojson> docs) {
  if (docs.size() == 1) return docs.front();
  ojson arr = ojson::array();
  for (auto &d : docs) arr.push_back(std::move(d));
  return arr;
}

namespace {

std::string sorted_map_text(std::string_view title, const google::protobuf::Map<std::string, std::string> &m) {
  if (m.empty()) return "";
  std::map<std::string, std::string> sorted(m.begin(), m.end());
  std::string out = fmt::format("{}:\n", title);
  for (const auto &[k, v] : sorted) out += fmt::format("\t{} -> {}\n", k, v);
  return out;
}

std::string info_text(const google::protobuf::Map<std::string, std::string> &info) {
  std::map<std::string, std::string> sorted(info.begin(), info.end());
  std::string out = "Info: map[";
  bool first = true;
  for (const auto &[k, v] : sorted) {
    out += fmt::format("{}{}:{}", first ? "" : " ", k, v);
    first = false;
  }
  return out + "]\n";
}

}  // namespace

std::string pod_status_text(const v1::PodSandboxStatusResponse &r, bool verbose) {
  const auto &s = r.status();
  std::string out = fmt::format("ID: {}\n", s.id());
  if (s.has_metadata()) {
    if (!s.metadata().name().empty()) out += fmt::format("Name: {}\n", s.metadata().name());
    if (!s.metadata().uid().empty()) out += fmt::format("UID: {}\n", s.metadata().uid());
    if (!s.metadata().namespace_().empty()) out += fmt::format("Namespace: {}\n", s.metadata().namespace_());
    out += fmt::format("Attempt: {}\n", s.metadata().attempt());
  }
  out += fmt::format("Status: {}\n", v1::PodSandboxState_Name(s.state()));
  out += fmt::format("Created: {}\n", rfc3339_nano(s.created_at()));
  if (s.has_network()) {
    out += fmt::format("IP Addresses: {}\n", s.network().ip());
    for (const auto &ip : s.network().additional_ips()) out += fmt::format("Additional IP: {}\n", ip.ip());
  }
  out += sorted_map_text("Labels", s.labels());
  out += sorted_map_text("Annotations", s.annotations());
  if (verbose) out += info_text(r.info());
  return out;
}

std::string container_status_text(const v1::ContainerStatusResponse &r, bool verbose,
                                  std::chrono::system_clock::time_point now) {
  const auto &s = r.status();
  std::string out = fmt::format("ID: {}\n", s.id());
  if (s.has_metadata()) {
    if (!s.metadata().name().empty()) out += fmt::format("Name: {}\n", s.metadata().name());
    if (s.metadata().attempt() != 0) out += fmt::format("Attempt: {}\n", s.metadata().attempt());
  }
  out += fmt::format("State: {}\n", v1::ContainerState_Name(s.state()));
  out += fmt::format("Created: {}\n", age_string(s.created_at(), now));
  if (s.state() != v1::CONTAINER_CREATED) out += fmt::format("Started: {}\n", age_string(s.started_at(), now));
  if (s.state() == v1::CONTAINER_EXITED) {
    if (s.finished_at() > 0) out += fmt::format("Finished: {}\n", age_string(s.finished_at(), now));
    out += fmt::format("Exit Code: {}\n", s.exit_code());
  }
  out += sorted_map_text("Labels", s.labels());
  out += sorted_map_text("Annotations", s.annotations());
  if (verbose) out += info_text(r.info());
  return out;
}

}  // namespace berth::cridctl
