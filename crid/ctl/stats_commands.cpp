// stats and statsp: resource usage of containers and pods. The table's CPU %
// comes from two samples `-s` seconds apart, as crictl computes it.
#include <unistd.h>

#include <chrono>
#include <map>
#include <thread>

#include <fmt/core.h>

#include "crid/ctl/command_support.h"
#include "crid/ctl/commands.h"
#include "crid/ctl/id_match.h"

namespace berth::cridctl {

namespace v1 = runtime::v1;

namespace {

v1::ListContainerStatsResponse list_container_stats(v1::RuntimeService::Stub &stub, const Globals &g,
                                                    const v1::ListContainerStatsRequest &req,
                                                    const std::string &id_prefix) {
  auto ctx = call_context(g);
  v1::ListContainerStatsResponse resp;
  check(stub.ListContainerStats(ctx.get(), req, &resp), "list container stats");
  v1::ListContainerStatsResponse out;
  for (const auto &s : resp.stats()) {
    if (!s.attributes().id().starts_with(id_prefix)) continue;  // a prefix the runtime was not given
    *out.add_stats() = s;
  }
  std::sort(out.mutable_stats()->begin(), out.mutable_stats()->end(),
            [](const v1::ContainerStats &a, const v1::ContainerStats &b) {
              return a.attributes().id() < b.attributes().id();
            });
  return out;
}

double cpu_percent(uint64_t usage, uint64_t old_usage, int64_t ts, int64_t old_ts) {
  // A counter that went back (a restarted container) has no rate to show.
  if (usage == 0 || ts <= old_ts || usage < old_usage) return 0;
  return static_cast<double>(usage - old_usage) / static_cast<double>(ts - old_ts) * 100;
}

}  // namespace

int cmd_stats(const Globals &g, const Argv &argv) {
  ParsedArgs a = parse_or_fail(argv,
                               {{"all", 'a'},
                                {"id", 0, true},
                                {"pod", 'p', true},
                                {"label", 0, true, true},
                                {"output", 'o', true},
                                {"seconds", 's', true}},
                               "stats");
  if (a.positional.size() > 1) fail("stats: expected at most one ID");
  OutputFormat format = output_or_fail(a, "stats", OutputFormat::Table,
                                       {OutputFormat::Table, OutputFormat::Json, OutputFormat::Yaml});
  long long seconds = integer_or_fail(a, "seconds", "stats", 1);
  std::string id = a.value_or("id", a.positional.empty() ? "" : a.positional[0]);
  std::string pod = a.value_or("pod", "");
  v1::ListContainerStatsRequest req;
  auto *filter = req.mutable_filter();
  if (is_full_id(id)) filter->set_id(id);
  for (const auto &[k, v] : labels_or_fail(a, "stats")) (*filter->mutable_label_selector())[k] = v;

  auto stub = runtime_stub(g);
  if (!pod.empty()) filter->set_pod_sandbox_id(resolve_pod_id(*stub, g, pod));
  auto first = list_container_stats(*stub, g, req, id);
  if (format != OutputFormat::Table) {
    print_structured(message_json(first), format);
    return 0;
  }
  std::map<std::string, v1::ContainerStats> old;
  for (const auto &s : first.stats()) old[s.attributes().id()] = s;
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  auto second = list_container_stats(*stub, g, req, id);

  std::vector<std::vector<std::string>> rows = {{"CONTAINER", "NAME", "CPU %", "MEM", "DISK", "INODES", "SWAP"}};
  for (const auto &s : second.stats()) {
    uint64_t cpu = s.cpu().usage_core_nano_seconds().value();
    uint64_t mem = s.memory().working_set_bytes().value();
    if (!a.has("all") && cpu == 0 && mem == 0) continue;  // not running
    auto it = old.find(s.attributes().id());
    if (it == old.end()) continue;  // appeared during the sample
    double perc = cpu_percent(cpu, it->second.cpu().usage_core_nano_seconds().value(), s.cpu().timestamp(),
                              it->second.cpu().timestamp());
    rows.push_back({truncate_id(s.attributes().id(), false), s.attributes().metadata().name(),
                    fmt::format("{:.2f}", perc), human_size(static_cast<double>(mem), 4),
                    human_size(static_cast<double>(s.writable_layer().used_bytes().value()), 4),
                    std::to_string(s.writable_layer().inodes_used().value()),
                    human_size(static_cast<double>(s.swap().swap_usage_bytes().value()), 4)});
  }
  fmt::print("{}", format_table(rows));
  return 0;
}

int cmd_statsp(const Globals &g, const Argv &argv) {
  ParsedArgs a = parse_or_fail(
      argv, {{"id", 0, true}, {"label", 0, true, true}, {"output", 'o', true}, {"seconds", 's', true}}, "statsp");
  if (a.positional.size() > 1) fail("statsp: expected at most one POD-ID");
  OutputFormat format = output_or_fail(a, "statsp", OutputFormat::Table,
                                       {OutputFormat::Table, OutputFormat::Json, OutputFormat::Yaml});
  long long seconds = integer_or_fail(a, "seconds", "statsp", 1);
  std::string id = a.value_or("id", a.positional.empty() ? "" : a.positional[0]);
  v1::ListPodSandboxStatsRequest req;
  auto *filter = req.mutable_filter();
  if (is_full_id(id)) filter->set_id(id);
  for (const auto &[k, v] : labels_or_fail(a, "statsp")) (*filter->mutable_label_selector())[k] = v;
  auto stub = runtime_stub(g);
  auto sample = [&]() {
    auto ctx = call_context(g);
    v1::ListPodSandboxStatsResponse resp, out;
    check(stub->ListPodSandboxStats(ctx.get(), req, &resp), "list pod stats");
    for (const auto &s : resp.stats())
      if (s.attributes().id().starts_with(id)) *out.add_stats() = s;
    return out;
  };
  auto first = sample();
  if (format != OutputFormat::Table) {
    print_structured(message_json(first), format);
    return 0;
  }
  std::map<std::string, v1::PodSandboxStats> old;
  for (const auto &s : first.stats()) old[s.attributes().id()] = s;
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  auto second = sample();
  std::vector<std::vector<std::string>> rows = {{"POD", "POD ID", "CPU %", "MEM"}};
  for (const auto &s : second.stats()) {
    auto it = old.find(s.attributes().id());
    if (it == old.end()) continue;
    const auto &cpu = s.linux().cpu();
    const auto &old_cpu = it->second.linux().cpu();
    double perc = cpu_percent(cpu.usage_core_nano_seconds().value(), old_cpu.usage_core_nano_seconds().value(),
                              cpu.timestamp(), old_cpu.timestamp());
    rows.push_back({s.attributes().metadata().name(), truncate_id(s.attributes().id(), false),
                    fmt::format("{:.2f}", perc),
                    human_size(static_cast<double>(s.linux().memory().working_set_bytes().value()), 4)});
  }
  fmt::print("{}", format_table(rows));
  return 0;
}

}  // namespace berth::cridctl
