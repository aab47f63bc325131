// create, start, ps, inspect, stop, rm, update.
#include <glob.h>
#include <unistd.h>

#include <map>

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

constexpr const char *kPodNameLabel = "io.kubernetes.pod.name";
constexpr const char *kPodNamespaceLabel = "io.kubernetes.pod.namespace";

std::string container_state_name(v1::ContainerState s) {
  switch (s) {
    case v1::CONTAINER_CREATED: return "Created";
    case v1::CONTAINER_RUNNING: return "Running";
    case v1::CONTAINER_EXITED: return "Exited";
    default: return "Unknown";
  }
}

std::vector<std::string> all_container_ids(v1::RuntimeService::Stub &stub, const Globals &g,
                                           std::optional<v1::ContainerState> state) {
  auto ctx = call_context(g);
  v1::ListContainersRequest req;
  if (state) req.mutable_filter()->mutable_state()->set_state(*state);
  v1::ListContainersResponse resp;
  check(stub.ListContainers(ctx.get(), req, &resp), "list containers");
  std::vector<std::string> ids;
  for (const auto &c : resp.containers()) ids.push_back(c.id());
  return ids;
}

grpc::Status stop_container(v1::RuntimeService::Stub &stub, const Globals &g, const std::string &id,
                            long long timeout) {
  // The runtime waits up to `timeout` before SIGKILL; the call may take that long.
  auto ctx = call_context_with_timeout(g.timeout_seconds + static_cast<double>(timeout));
  v1::StopContainerRequest req;
  req.set_container_id(id);
  req.set_timeout(timeout);
  v1::StopContainerResponse resp;
  return stub.StopContainer(ctx.get(), req, &resp);
}

// Docker's RAMInBytes: a number of bytes with an optional b, k, m, g, t suffix (powers of 1024).
long long bytes_or_fail(const std::string &text, std::string_view flag) {
  std::string digits = text;
  long long unit = 1;
  if (!digits.empty()) {
    char c = static_cast<char>(std::tolower(static_cast<unsigned char>(digits.back())));
    if (c == 'b' && digits.size() > 1) {
      digits.pop_back();
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(digits.back())));
    }
    const std::string units = "kmgt";
    if (auto pos = units.find(c); pos != std::string::npos) {
      for (size_t i = 0; i <= pos; ++i) unit *= 1024;
      digits.pop_back();
    }
  }
  auto v = parse_integer(flag, digits);
  if (!v || *v < 0) fail(fmt::format("update: {}: expected bytes (e.g. 67108864 or 64m), got \"{}\"", flag, text));
  return *v * unit;
}

// Pod names and namespaces by pod id, for containers whose labels lack them
// (the kubelet sets io.kubernetes.pod.*; cridctl users often do not).
std::map<std::string, v1::PodSandboxMetadata> pod_metadata(v1::RuntimeService::Stub &stub, const Globals &g) {
  std::map<std::string, v1::PodSandboxMetadata> out;
  auto ctx = call_context(g);
  v1::ListPodSandboxRequest req;
  v1::ListPodSandboxResponse resp;
  if (stub.ListPodSandbox(ctx.get(), req, &resp).ok())
    for (const auto &p : resp.items()) out[p.id()] = p.metadata();
  return out;
}

}  // namespace

int cmd_create(const Globals &g, const Argv &argv) {
  ParsedArgs a = parse_or_fail(argv,
                               {{"no-pull"},
                                {"with-pull"},
                                {"creds", 0, true},
                                {"auth", 0, true},
                                {"username", 0, true},
                                {"cancel-timeout", 'T', true}},
                               "create");
  if (a.positional.size() != 3) fail("create: expected POD-ID CONTAINER.json POD.json");
  if (a.has("no-pull") && a.has("with-pull")) fail("create: conflict: --no-pull and --with-pull are both set");
  auto config = load_container_config(a.positional[1]);
  if (!config) fail(fmt::format("create: {}", config.error().message));
  auto pod_config = load_pod_config(a.positional[2]);
  if (!pod_config) fail(fmt::format("create: {}", pod_config.error().message));
  double timeout = g.timeout_seconds * 2;
  if (a.has("cancel-timeout")) timeout = static_cast<double>(integer_or_fail(a, "cancel-timeout", "create", 0));

  auto stub = runtime_stub(g);
  std::string pod_id = resolve_pod_id(*stub, g, a.positional[0]);
  if (a.has("with-pull")) {
    auto images = image_stub(g);
    auto ctx = call_context_with_timeout(0);
    v1::PullImageRequest req;
    *req.mutable_image() = config->image();
    *req.mutable_sandbox_config() = *pod_config;
    if (auto creds = a.value("creds")) {
      auto colon = creds->find(':');
      req.mutable_auth()->set_username(creds->substr(0, colon));
      if (colon != std::string::npos) req.mutable_auth()->set_password(creds->substr(colon + 1));
    }
    if (auto v = a.value("username")) req.mutable_auth()->set_username(*v);
    if (auto v = a.value("auth")) req.mutable_auth()->set_auth(*v);
    v1::PullImageResponse resp;
    check(images->PullImage(ctx.get(), req, &resp), fmt::format("pull image \"{}\"", config->image().image()));
  }
  auto ctx = call_context_with_timeout(timeout);
  v1::CreateContainerRequest req;
  req.set_pod_sandbox_id(pod_id);
  *req.mutable_config() = *config;
  *req.mutable_sandbox_config() = *pod_config;
  v1::CreateContainerResponse resp;
  check(stub->CreateContainer(ctx.get(), req, &resp), fmt::format("create container in pod \"{}\"", pod_id));
  fmt::print("{}\n", resp.container_id());
  return 0;
}

int cmd_start(const Globals &g, const Argv &argv) {
  ParsedArgs a = parse_or_fail(argv, {}, "start");
  if (a.positional.empty()) fail("start: expected at least one CONTAINER-ID");
  auto stub = runtime_stub(g);
  for (const auto &prefix : a.positional) {
    std::string id = resolve_container_id(*stub, g, prefix);
    auto ctx = call_context_with_timeout(g.timeout_seconds * 2);
    v1::StartContainerRequest req;
    req.set_container_id(id);
    v1::StartContainerResponse resp;
    check(stub->StartContainer(ctx.get(), req, &resp), fmt::format("start container \"{}\"", id));
    fmt::print("{}\n", id);
  }
  return 0;
}

int cmd_ps(const Globals &g, const Argv &argv) {
  ParsedArgs a = parse_or_fail(argv,
                               {{"all", 'a'},
                                {"id", 0, true},
                                {"pod", 'p', true},
                                {"name", 0, true},
                                {"namespace", 0, true},
                                {"image", 0, true},
                                {"state", 's', true},
                                {"label", 0, true, true},
                                {"verbose", 'v'},
                                {"quiet", 'q'},
                                {"output", 'o', true},
                                {"latest", 'l'},
                                {"last", 'n', true},
                                {"no-trunc"}},
                               "ps");
  if (!a.positional.empty()) fail(fmt::format("ps: unexpected argument \"{}\"", a.positional[0]));
  OutputFormat format = output_or_fail(a, "ps", OutputFormat::Table,
                                       {OutputFormat::Table, OutputFormat::Json, OutputFormat::Yaml, OutputFormat::Name});
  long long last = integer_or_fail(a, "last", "ps", 0);
  v1::ListContainersRequest req;
  auto *filter = req.mutable_filter();
  std::string id = a.value_or("id", ""), pod = a.value_or("pod", "");
  if (is_full_id(id)) filter->set_id(id);
  if (is_full_id(pod)) filter->set_pod_sandbox_id(pod);
  if (auto state = a.value("state")) {
    std::string s = *state;
    std::transform(s.begin(), s.end(), s.begin(), ::tolower);
    static const std::map<std::string, v1::ContainerState> states = {{"created", v1::CONTAINER_CREATED},
                                                                      {"running", v1::CONTAINER_RUNNING},
                                                                      {"exited", v1::CONTAINER_EXITED},
                                                                      {"unknown", v1::CONTAINER_UNKNOWN}};
    auto it = states.find(s);
    if (it == states.end())
      fail(fmt::format("ps: --state should be one of created, running, exited or unknown, not \"{}\"", *state));
    filter->mutable_state()->set_state(it->second);
  } else if (!a.has("all") && !a.has("latest") && last == 0) {
    filter->mutable_state()->set_state(v1::CONTAINER_RUNNING);
  }
  for (const auto &[k, v] : labels_or_fail(a, "ps")) (*filter->mutable_label_selector())[k] = v;

  auto stub = runtime_stub(g);
  auto ctx = call_context(g);
  v1::ListContainersResponse resp;
  check(stub->ListContainers(ctx.get(), req, &resp), "list containers");

  bool need_pods = false;
  for (const auto &c : resp.containers())
    if (!c.labels().contains(kPodNameLabel) || !c.labels().contains(kPodNamespaceLabel)) need_pods = true;
  std::map<std::string, v1::PodSandboxMetadata> pods;
  if (need_pods && (format == OutputFormat::Table || a.has("namespace"))) pods = pod_metadata(*stub, g);
  auto pod_label = [&](const v1::Container &c, const char *label) -> std::string {
    if (auto it = c.labels().find(label); it != c.labels().end()) return it->second;
    auto p = pods.find(c.pod_sandbox_id());
    if (p == pods.end()) return "unknown";
    return label == kPodNameLabel ? p->second.name() : p->second.namespace_();
  };

  std::vector<v1::Container> containers;
  for (const auto &c : resp.containers()) {
    if (!c.id().starts_with(id) || !c.pod_sandbox_id().starts_with(pod)) continue;
    if (!matches_regex(a.value_or("name", ""), c.metadata().name())) continue;
    if (a.has("namespace") && !matches_regex(a.value_or("namespace", ""), pod_label(c, kPodNamespaceLabel))) continue;
    if (a.has("image") && c.image().image() != a.value_or("image", "") && c.image_ref() != a.value_or("image", ""))
      continue;
    containers.push_back(c);
  }
  newest_first(containers, [](const v1::Container &c) { return c.created_at(); }, a.has("latest"), last);

  if (format == OutputFormat::Json || format == OutputFormat::Yaml) {
    v1::ListContainersResponse out;
    for (const auto &c : containers) *out.add_containers() = c;
    print_structured(message_json(out), format);
    return 0;
  }
  if (a.has("quiet") || format == OutputFormat::Name) {
    for (const auto &c : containers) fmt::print("{}\n", a.has("quiet") ? c.id() : c.metadata().name());
    return 0;
  }
  auto now = std::chrono::system_clock::now();
  if (a.has("verbose")) {
    for (const auto &c : containers) {
      fmt::print("ID: {}\nPodID: {}\nNamespace: {}\n", c.id(), c.pod_sandbox_id(), pod_label(c, kPodNamespaceLabel));
      if (!c.metadata().name().empty()) fmt::print("Name: {}\n", c.metadata().name());
      fmt::print("Attempt: {}\nState: {}\n", c.metadata().attempt(), container_state_name(c.state()));
      fmt::print("Image: {}\nCreated: {}\n", c.image().image(), age_string(c.created_at(), now));
      std::map<std::string, std::string> labels(c.labels().begin(), c.labels().end());
      if (!labels.empty()) fmt::print("Labels:\n");
      for (const auto &[k, v] : labels) fmt::print("\t{} -> {}\n", k, v);
      std::map<std::string, std::string> annotations(c.annotations().begin(), c.annotations().end());
      if (!annotations.empty()) fmt::print("Annotations:\n");
      for (const auto &[k, v] : annotations) fmt::print("\t{} -> {}\n", k, v);
      fmt::print("\n");
    }
    return 0;
  }
  bool no_trunc = a.has("no-trunc");
  std::vector<std::vector<std::string>> rows = {
      {"CONTAINER", "IMAGE", "CREATED", "STATE", "NAME", "ATTEMPT", "POD ID", "POD", "NAMESPACE"}};
  for (const auto &c : containers) {
    std::string image = c.image().image();
    if (image.starts_with("sha256:")) image = truncate_id(image, no_trunc);
    rows.push_back({truncate_id(c.id(), no_trunc), image, age_string(c.created_at(), now),
                    container_state_name(c.state()), c.metadata().name(), std::to_string(c.metadata().attempt()),
                    truncate_id(c.pod_sandbox_id(), no_trunc), pod_label(c, kPodNameLabel),
                    pod_label(c, kPodNamespaceLabel)});
  }
  fmt::print("{}", format_table(rows));
  return 0;
}

int cmd_inspect(const Globals &g, const Argv &argv) {
  ParsedArgs a = parse_or_fail(argv, {{"output", 'o', true}, {"quiet", 'q'}}, "inspect");
  if (a.positional.empty()) fail("inspect: expected at least one CONTAINER-ID");
  OutputFormat format = output_or_fail(a, "inspect", OutputFormat::Json,
                                       {OutputFormat::Json, OutputFormat::Yaml, OutputFormat::Table});
  bool verbose = !a.has("quiet");
  auto stub = runtime_stub(g);
  std::vector<ojson> docs;
  auto now = std::chrono::system_clock::now();
  for (const auto &prefix : a.positional) {
    std::string id = resolve_container_id(*stub, g, prefix);
    auto ctx = call_context(g);
    v1::ContainerStatusRequest req;
    req.set_container_id(id);
    req.set_verbose(verbose);
    v1::ContainerStatusResponse resp;
    check(stub->ContainerStatus(ctx.get(), req, &resp), fmt::format("get the status of container \"{}\"", id));
    if (format == OutputFormat::Table) fmt::print("{}", container_status_text(resp, verbose, now));
    else docs.push_back(status_document(container_status_json(resp.status()), resp.info()));
  }
  if (!docs.empty()) print_structured(status_documents(std::move(docs)), format);
  return 0;
}

int cmd_stop(const Globals &g, const Argv &argv) {
  ParsedArgs a = parse_or_fail(argv, {{"timeout", 't', true}, {"all", 'a'}}, "stop");
  long long timeout = integer_or_fail(a, "timeout", "stop", 0);
  if (timeout < 0) fail("stop: --timeout cannot be negative");
  if (a.has("all") && !a.positional.empty()) fail("stop: cannot specify CONTAINER-ID(s) when using --all");
  if (!a.has("all") && a.positional.empty()) fail("stop: you must specify at least one CONTAINER-ID or use --all");
  auto stub = runtime_stub(g);
  std::vector<std::string> ids;
  if (a.has("all")) {
    ids = all_container_ids(*stub, g, v1::CONTAINER_RUNNING);
    if (ids.empty()) {
      fmt::print("No running containers found.\n");
      return 0;
    }
  } else {
    for (const auto &prefix : a.positional) ids.push_back(resolve_container_id(*stub, g, prefix));
  }
  for (const auto &id : ids) {
    check(stop_container(*stub, g, id, timeout), fmt::format("stop container \"{}\"", id));
    fmt::print("{}\n", id);
  }
  return 0;
}

int cmd_rm(const Globals &g, const Argv &argv) {
  ParsedArgs a = parse_or_fail(argv, {{"force", 'f'}, {"all", 'a'}, {"keep-logs", 'k'}}, "rm");
  if (!a.has("all") && a.positional.empty()) fail("rm: expected at least one CONTAINER-ID (or -a)");
  auto stub = runtime_stub(g);
  std::vector<std::string> ids;
  if (a.has("all")) {
    ids = all_container_ids(*stub, g, std::nullopt);
    if (ids.empty()) {
      fmt::print(stderr, "No containers to remove\n");
      return 0;
    }
  } else {
    for (const auto &prefix : a.positional) ids.push_back(resolve_container_id(*stub, g, prefix));
  }
  int rc = 0;
  for (const auto &id : ids) {
    auto ctx = call_context(g);
    v1::ContainerStatusRequest sreq;
    sreq.set_container_id(id);
    v1::ContainerStatusResponse sresp;
    grpc::Status s = stub->ContainerStatus(ctx.get(), sreq, &sresp);
    if (failed_call(s, fmt::format("get the status of container \"{}\"", id), rc)) continue;
    if (sresp.status().state() == v1::CONTAINER_RUNNING) {
      if (!a.has("force")) {
        fmt::print(stderr, "cridctl: container \"{}\" is running, please stop it first (or use -f)\n", id);
        rc = 1;
        continue;
      }
      s = stop_container(*stub, g, id, 0);
      if (failed_call(s, fmt::format("stop container \"{}\"", id), rc)) continue;
    }
    auto rctx = call_context_with_timeout(g.timeout_seconds * 2);
    v1::RemoveContainerRequest req;
    req.set_container_id(id);
    v1::RemoveContainerResponse resp;
    s = stub->RemoveContainer(rctx.get(), req, &resp);
    if (failed_call(s, fmt::format("remove container \"{}\"", id), rc)) continue;
    // crictl removes the log file and its rotations with the container.
    const std::string &log_path = sresp.status().log_path();
    if (!a.has("keep-logs") && !log_path.empty()) {
      std::vector<std::string> files = {log_path};
      glob_t gl{};
      if (::glob((log_path + ".*").c_str(), 0, nullptr, &gl) == 0)
        for (size_t i = 0; i < gl.gl_pathc; ++i) files.push_back(gl.gl_pathv[i]);
      ::globfree(&gl);
      for (const auto &f : files)
        if (::unlink(f.c_str()) != 0 && errno != ENOENT)
          fmt::print(stderr, "cridctl: remove log file {} of container \"{}\": {}\n", f, id, std::strerror(errno));
    }
    fmt::print("{}\n", id);
  }
  return rc;
}

int cmd_update(const Globals &g, const Argv &argv) {
  ParsedArgs a = parse_or_fail(argv,
                               {{"cpu-shares", 0, true},
                                {"cpu-share", 0, true},
                                {"cpu-quota", 0, true},
                                {"cpu-period", 0, true},
                                {"cpuset-cpus", 0, true},
                                {"cpuset-mems", 0, true},
                                {"memory", 0, true},
                                {"oom-score-adj", 0, true}},
                               "update");
  if (a.positional.empty()) fail("update: expected at least one CONTAINER-ID");
  v1::ContainerResources resources;
  auto *lr = resources.mutable_linux();
  if (a.has("cpu-share")) lr->set_cpu_shares(integer_or_fail(a, "cpu-share", "update", 0));
  if (a.has("cpu-shares")) lr->set_cpu_shares(integer_or_fail(a, "cpu-shares", "update", 0));
  lr->set_cpu_quota(integer_or_fail(a, "cpu-quota", "update", 0));
  lr->set_cpu_period(integer_or_fail(a, "cpu-period", "update", 0));
  lr->set_cpuset_cpus(a.value_or("cpuset-cpus", ""));
  lr->set_cpuset_mems(a.value_or("cpuset-mems", ""));
  if (auto m = a.value("memory")) lr->set_memory_limit_in_bytes(bytes_or_fail(*m, "--memory"));
  lr->set_oom_score_adj(integer_or_fail(a, "oom-score-adj", "update", 0));
  auto stub = runtime_stub(g);
  for (const auto &prefix : a.positional) {
    std::string id = resolve_container_id(*stub, g, prefix);
    auto ctx = call_context(g);
    v1::UpdateContainerResourcesRequest req;
    req.set_container_id(id);
    *req.mutable_linux() = resources.linux();
    v1::UpdateContainerResourcesResponse resp;
    check(stub->UpdateContainerResources(ctx.get(), req, &resp),
          fmt::format("update resources of container \"{}\"", id));
    fmt::print("{}\n", id);
  }
  return 0;
}

}  // namespace berth::cridctl
