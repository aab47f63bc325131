// runp, pods, inspectp, stopp, rmp.
#include <fmt/core.h>

#include "crid/ctl/command_support.h"
#include "crid/ctl/commands.h"
#include "crid/ctl/config_file.h"
#include "crid/ctl/id_match.h"
#include "crid/ctl/list_filter.h"
#include "crid/ctl/status_output.h"

namespace berth::cridctl {

namespace v1 = runtime::v1;

namespace {

std::string pod_state_name(v1::PodSandboxState s) {
  return s == v1::SANDBOX_READY ? "Ready" : s == v1::SANDBOX_NOTREADY ? "NotReady" : "Unknown";
}

std::string handler_name(const v1::PodSandbox &p) {
  return p.runtime_handler().empty() ? "(default)" : p.runtime_handler();
}

void stop_pod(v1::RuntimeService::Stub &stub, const Globals &g, const std::string &id) {
  auto ctx = call_context_with_timeout(g.timeout_seconds * 2);
  v1::StopPodSandboxRequest req;
  req.set_pod_sandbox_id(id);
  v1::StopPodSandboxResponse resp;
  check(stub.StopPodSandbox(ctx.get(), req, &resp), fmt::format("stop pod sandbox \"{}\"", id));
  fmt::print("Stopped sandbox {}\n", id);
}

}  // namespace

int cmd_runp(const Globals &g, const Argv &argv) {
  ParsedArgs a = parse_or_fail(argv, {{"runtime", 'r', true}, {"cancel-timeout", 'T', true}}, "runp");
  if (a.positional.size() != 1) fail("runp: expected exactly one POD.json");
  auto config = load_pod_config(a.positional[0]);
  if (!config) fail(fmt::format("runp: {}", config.error().message));
  double timeout = g.timeout_seconds * 2;
  if (a.has("cancel-timeout")) timeout = static_cast<double>(integer_or_fail(a, "cancel-timeout", "runp", 0));
  auto stub = runtime_stub(g);
  auto ctx = call_context_with_timeout(timeout);
  v1::RunPodSandboxRequest req;
  *req.mutable_config() = *config;
  req.set_runtime_handler(a.value_or("runtime", ""));
  v1::RunPodSandboxResponse resp;
  check(stub->RunPodSandbox(ctx.get(), req, &resp), "run pod sandbox");
  fmt::print("{}\n", resp.pod_sandbox_id());
  return 0;
}

int cmd_pods(const Globals &g, const Argv &argv) {
  ParsedArgs a = parse_or_fail(argv,
                               {{"id", 0, true},
                                {"name", 0, true},
                                {"namespace", 0, true},
                                {"state", 's', true},
                                {"label", 0, true, true},
                                {"verbose", 'v'},
                                {"quiet", 'q'},
                                {"output", 'o', true},
                                {"latest", 'l'},
                                {"last", 'n', true},
                                {"no-trunc"}},
                               "pods");
  if (!a.positional.empty()) fail(fmt::format("pods: unexpected argument \"{}\"", a.positional[0]));
  OutputFormat format = output_or_fail(a, "pods", OutputFormat::Table,
                                       {OutputFormat::Table, OutputFormat::Json, OutputFormat::Yaml, OutputFormat::Name});
  long long last = integer_or_fail(a, "last", "pods", 0);
  v1::ListPodSandboxRequest req;
  auto *filter = req.mutable_filter();
  std::string id = a.value_or("id", "");
  if (is_full_id(id)) filter->set_id(id);
  if (auto state = a.value("state")) {
    std::string s = *state;
    std::transform(s.begin(), s.end(), s.begin(), ::tolower);
    if (s == "ready") filter->mutable_state()->set_state(v1::SANDBOX_READY);
    else if (s == "notready") filter->mutable_state()->set_state(v1::SANDBOX_NOTREADY);
    else fail(fmt::format("pods: --state should be ready or notready, not \"{}\"", *state));
  }
  for (const auto &[k, v] : labels_or_fail(a, "pods")) (*filter->mutable_label_selector())[k] = v;

  auto stub = runtime_stub(g);
  auto ctx = call_context(g);
  v1::ListPodSandboxResponse resp;
  check(stub->ListPodSandbox(ctx.get(), req, &resp), "list pod sandboxes");

  std::vector<v1::PodSandbox> pods;
  for (const auto &p : resp.items()) {
    if (!p.id().starts_with(id)) continue;  // a prefix the runtime was not asked about
    if (!matches_regex(a.value_or("name", ""), p.metadata().name())) continue;
    if (!matches_regex(a.value_or("namespace", ""), p.metadata().namespace_())) continue;
    pods.push_back(p);
  }
  newest_first(pods, [](const v1::PodSandbox &p) { return p.created_at(); }, a.has("latest"), last);

  if (format == OutputFormat::Json || format == OutputFormat::Yaml) {
    v1::ListPodSandboxResponse out;
    for (const auto &p : pods) *out.add_items() = p;
    print_structured(message_json(out), format);
    return 0;
  }
  if (a.has("quiet") || format == OutputFormat::Name) {
    for (const auto &p : pods) fmt::print("{}\n", a.has("quiet") ? p.id() : p.metadata().name());
    return 0;
  }
  if (a.has("verbose")) {
    for (const auto &p : pods) {
      fmt::print("ID: {}\n", p.id());
      const auto &m = p.metadata();
      if (!m.name().empty()) fmt::print("Name: {}\n", m.name());
      if (!m.uid().empty()) fmt::print("UID: {}\n", m.uid());
      if (!m.namespace_().empty()) fmt::print("Namespace: {}\n", m.namespace_());
      if (m.attempt() != 0) fmt::print("Attempt: {}\n", m.attempt());
      fmt::print("Status: {}\nCreated: {}\n", pod_state_name(p.state()), rfc3339_nano(p.created_at()));
      std::map<std::string, std::string> labels(p.labels().begin(), p.labels().end());
      if (!labels.empty()) fmt::print("Labels:\n");
      for (const auto &[k, v] : labels) fmt::print("\t{} -> {}\n", k, v);
      std::map<std::string, std::string> annotations(p.annotations().begin(), p.annotations().end());
      if (!annotations.empty()) fmt::print("Annotations:\n");
      for (const auto &[k, v] : annotations) fmt::print("\t{} -> {}\n", k, v);
      fmt::print("Runtime: {}\n\n", handler_name(p));
    }
    return 0;
  }
  auto now = std::chrono::system_clock::now();
  std::vector<std::vector<std::string>> rows = {
      {"POD ID", "CREATED", "STATE", "NAME", "NAMESPACE", "ATTEMPT", "RUNTIME"}};
  for (const auto &p : pods)
    rows.push_back({truncate_id(p.id(), a.has("no-trunc")), age_string(p.created_at(), now), pod_state_name(p.state()),
                    p.metadata().name(), p.metadata().namespace_(), std::to_string(p.metadata().attempt()),
                    handler_name(p)});
  fmt::print("{}", format_table(rows));
  return 0;
}

int cmd_inspectp(const Globals &g, const Argv &argv) {
  ParsedArgs a = parse_or_fail(argv, {{"output", 'o', true}, {"quiet", 'q'}}, "inspectp");
  if (a.positional.empty()) fail("inspectp: expected at least one POD-ID");
  OutputFormat format = output_or_fail(a, "inspectp", OutputFormat::Json,
                                       {OutputFormat::Json, OutputFormat::Yaml, OutputFormat::Table});
  bool verbose = !a.has("quiet");
  auto stub = runtime_stub(g);
  std::vector<ojson> docs;
  for (const auto &prefix : a.positional) {
    std::string id = resolve_pod_id(*stub, g, prefix);
    auto ctx = call_context(g);
    v1::PodSandboxStatusRequest req;
    req.set_pod_sandbox_id(id);
    req.set_verbose(verbose);
    v1::PodSandboxStatusResponse resp;
    check(stub->PodSandboxStatus(ctx.get(), req, &resp), fmt::format("get the status of pod sandbox \"{}\"", id));
    if (format == OutputFormat::Table) fmt::print("{}", pod_status_text(resp, verbose));
    else docs.push_back(status_document(pod_status_json(resp.status()), resp.info()));
  }
  if (!docs.empty()) print_structured(status_documents(std::move(docs)), format);
  return 0;
}

int cmd_stopp(const Globals &g, const Argv &argv) {
  ParsedArgs a = parse_or_fail(argv, {}, "stopp");
  if (a.positional.empty()) fail("stopp: expected at least one POD-ID");
  auto stub = runtime_stub(g);
  for (const auto &prefix : a.positional) stop_pod(*stub, g, resolve_pod_id(*stub, g, prefix));
  return 0;
}

int cmd_rmp(const Globals &g, const Argv &argv) {
  ParsedArgs a = parse_or_fail(argv, {{"force", 'f'}, {"all", 'a'}}, "rmp");
  if (!a.has("all") && a.positional.empty()) fail("rmp: expected at least one POD-ID (or -a)");
  auto stub = runtime_stub(g);
  std::vector<std::string> ids;
  if (a.has("all")) {
    auto ctx = call_context(g);
    v1::ListPodSandboxRequest req;
    v1::ListPodSandboxResponse resp;
    check(stub->ListPodSandbox(ctx.get(), req, &resp), "list pod sandboxes");
    for (const auto &p : resp.items()) ids.push_back(p.id());
    if (ids.empty()) {
      fmt::print(stderr, "No pods to remove\n");
      return 0;
    }
  } else {
    for (const auto &prefix : a.positional) ids.push_back(resolve_pod_id(*stub, g, prefix));
  }
  int rc = 0;
  for (const auto &id : ids) {
    auto ctx = call_context(g);
    v1::PodSandboxStatusRequest sreq;
    sreq.set_pod_sandbox_id(id);
    v1::PodSandboxStatusResponse sresp;
    grpc::Status s = stub->PodSandboxStatus(ctx.get(), sreq, &sresp);
    if (failed_call(s, fmt::format("get the status of pod sandbox \"{}\"", id), rc)) continue;
    if (sresp.status().state() == v1::SANDBOX_READY) {
      if (!a.has("force")) {
        fmt::print(stderr, "cridctl: pod sandbox \"{}\" is running, please stop it first (or use -f)\n", id);
        rc = 1;
        continue;
      }
      stop_pod(*stub, g, id);
    }
    auto rctx = call_context_with_timeout(g.timeout_seconds * 2);
    v1::RemovePodSandboxRequest req;
    req.set_pod_sandbox_id(id);
    v1::RemovePodSandboxResponse resp;
    s = stub->RemovePodSandbox(rctx.get(), req, &resp);
    if (failed_call(s, fmt::format("remove pod sandbox \"{}\"", id), rc)) continue;
    fmt::print("Removed sandbox {}\n", id);
  }
  return rc;
}

}  // namespace berth::cridctl
