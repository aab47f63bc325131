#include "crid/ctl/command_support.h"

#include <google/protobuf/util/json_util.h>

#include "crid/ctl/id_match.h"

namespace berth::cridctl {

namespace v1 = runtime::v1;

ParsedArgs parse_or_fail(const std::vector<std::string> &argv, const std::vector<FlagSpec> &specs,
                         std::string_view command, std::optional<size_t> stop_after) {
  auto parsed = parse_flags(argv, specs, stop_after);
  if (!parsed) fail(fmt::format("{}: {} (see cridctl --help)", command, parsed.error().message));
  return std::move(*parsed);
}

OutputFormat output_or_fail(const ParsedArgs &a, std::string_view command, OutputFormat fallback,
                            const std::set<OutputFormat> &allowed) {
  auto text = a.value("output");
  if (!text) return fallback;
  auto format = parse_output_format(*text, allowed);
  if (!format) fail(fmt::format("{}: {}", command, format.error().message));
  return *format;
}

std::map<std::string, std::string> labels_or_fail(const ParsedArgs &a, std::string_view command) {
  auto labels = parse_labels(a.all("label"));
  if (!labels) fail(fmt::format("{}: {}", command, labels.error().message));
  return *labels;
}

long long integer_or_fail(const ParsedArgs &a, const std::string &flag, std::string_view command,
                          long long fallback) {
  auto text = a.value(flag);
  if (!text) return fallback;
  auto v = parse_integer("--" + flag, *text);
  if (!v) fail(fmt::format("{}: {}", command, v.error().message));
  return *v;
}

ojson message_json(const google::protobuf::Message &m) {
  google::protobuf::util::JsonPrintOptions opts;
  opts.always_print_primitive_fields = true;
  std::string out;
  auto status = google::protobuf::util::MessageToJsonString(m, &out, opts);
  if (!status.ok()) fail(fmt::format("print {} as JSON: {}", m.GetTypeName(), std::string(status.message())));
  return ojson::parse(out);
}

void print_structured(const ojson &value, OutputFormat format) {
  if (format == OutputFormat::Yaml) fmt::print("{}", json_to_yaml(value));
  else fmt::print("{}\n", value.dump(2));
}

ojson info_json(const google::protobuf::Map<std::string, std::string> &info) {
  std::map<std::string, std::string> sorted(info.begin(), info.end());
  ojson out = ojson::object();
  for (const auto &[k, v] : sorted) {
    ojson value = ojson::parse(v, nullptr, false);
    if (!value.is_discarded() && (value.is_object() || value.is_array())) {
      out[k] = value;
    } else {
      std::string s = v;
      while (!s.empty() && s.front() == '"') s.erase(0, 1);
      while (!s.empty() && s.back() == '"') s.pop_back();
      out[k] = s;
    }
  }
  return out;
}

namespace {

std::string resolved_or_fail(Result<std::string> r) {
  if (!r) fail(r.error().message);
  return *r;
}

}  // namespace

std::string resolve_pod_id(v1::RuntimeService::Stub &stub, const Globals &g, const std::string &prefix) {
  if (is_full_id(prefix)) return prefix;
  if (prefix.empty()) fail("pod ID cannot be empty");
  auto ctx = call_context(g);
  v1::ListPodSandboxRequest req;
  v1::ListPodSandboxResponse resp;
  check(stub.ListPodSandbox(ctx.get(), req, &resp), fmt::format("find pod \"{}\"", prefix));
  std::vector<std::string> ids;
  for (const auto &p : resp.items()) ids.push_back(p.id());
  return resolved_or_fail(match_id_prefix(prefix, ids, "pod"));
}

std::string resolve_container_id(v1::RuntimeService::Stub &stub, const Globals &g, const std::string &prefix) {
  if (is_full_id(prefix)) return prefix;
  if (prefix.empty()) fail("container ID cannot be empty");
  auto ctx = call_context(g);
  v1::ListContainersRequest req;
  v1::ListContainersResponse resp;
  check(stub.ListContainers(ctx.get(), req, &resp), fmt::format("find container \"{}\"", prefix));
  std::vector<std::string> ids;
  for (const auto &c : resp.containers()) ids.push_back(c.id());
  return resolved_or_fail(match_id_prefix(prefix, ids, "container"));
}

bool failed_call(const grpc::Status &s, std::string_view what, int &rc) {
  if (s.ok()) return false;
  fmt::print(stderr, "cridctl: {}: {}\n", what, rpc_error_text(s));
  rc = 1;
  return true;
}

}  // namespace berth::cridctl
