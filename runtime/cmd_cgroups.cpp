// pause, resume, update, events, ps: the commands that act on a container's
// cgroup. The work is in cgroups::Manager; these open the container, check
// its status, and print what runc prints.
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <iterator>
#include <optional>
#include <set>
#include <thread>

#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "cgroups/manager.h"
#include "libcontainer/intel_rdt.h"
#include "libcontainer/intel_rdt_update.h"
#include "libcontainer/log.h"
#include "libcontainer/spec_parser.h"
#include "runtime/commands.h"

namespace berth::cmd {

namespace {

struct Opened {
  StateDir dir;
  ContainerState state;
  Status status;
  std::unique_ptr<cgroups::Manager> cg;
};

// Opens and locks the container; the lock is held while the result lives.
Result<Opened> open_container(const Context &ctx, const std::string &id) {
  StateDir dir = TRY(StateDir::open(ctx.runtime.root, id));
  ContainerState s = TRY(dir.load());
  Status st = container_status(s, dir);
  auto cg = TRY(cgroups::manager_from_json(s.cgroup));
  return Opened{std::move(dir), std::move(s), st, std::move(cg)};
}

// Sizes as runc (Docker's units.RAMInBytes) reads them: "512", "100k", "64m", "1g", binary units; -1 = unlimited.
Result<int64_t> parse_size(std::string_view flag, const std::string &text) {
  if (text == "-1") return -1;
  int64_t n = 0;
  const char *end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, n);
  if (ec != std::errc{} || n < 0) return make_error("--{}: invalid size \"{}\"", flag, text);
  std::string unit(p, end);
  std::transform(unit.begin(), unit.end(), unit.begin(), [](unsigned char c) { return std::tolower(c); });
  if (unit.ends_with("ib")) unit.erase(unit.size() - 2, 1);
  static constexpr std::pair<std::string_view, int> units[] = {{"", 0},   {"b", 0},   {"k", 10}, {"kb", 10}, {"m", 20},
                                                               {"mb", 20}, {"g", 30}, {"gb", 30}, {"t", 40}, {"tb", 40}};
  for (auto [u, shift] : units)
    if (unit == u) return n << shift;
  return make_error("--{}: invalid size \"{}\"", flag, text);
}

Result<int64_t> parse_int(std::string_view flag, const std::string &text) {
  int64_t n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc{} || p != text.data() + text.size()) return make_error("--{}: invalid number \"{}\"", flag, text);
  return n;
}

Result<uint64_t> parse_uint(std::string_view flag, const std::string &text) {
  uint64_t n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc{} || p != text.data() + text.size())
    return make_error("--{}: invalid non-negative number \"{}\"", flag, text);
  return n;
}

// Go durations: "5s", "250ms", "1m30s".
Result<std::chrono::milliseconds> parse_duration(const std::string &text) {
  using namespace std::chrono;
  milliseconds total{0};
  std::string_view rest = text;
  if (rest.empty()) return make_error("--interval: empty duration");
  while (!rest.empty()) {
    // A decimal number by hand: std::from_chars of a double pulls in
    // libstdc++'s floating-point parser and, through it, libm.so.
    bool negative = !rest.empty() && rest[0] == '-';
    if (negative) rest.remove_prefix(1);
    double v = 0, scale = 1;
    size_t digits = 0, i = 0;
    for (; i < rest.size() && std::isdigit(static_cast<unsigned char>(rest[i])); ++i, ++digits) v = v * 10 + (rest[i] - '0');
    if (i < rest.size() && rest[i] == '.')
      for (++i; i < rest.size() && std::isdigit(static_cast<unsigned char>(rest[i])); ++i, ++digits)
        v += (rest[i] - '0') * (scale /= 10);
    if (digits == 0) return make_error("--interval: invalid duration \"{}\"", text);
    if (negative) v = -v;
    rest.remove_prefix(i);
    size_t n = 0;
    while (n < rest.size() && std::isalpha(static_cast<unsigned char>(rest[n]))) ++n;
    auto unit = rest.substr(0, n);
    rest.remove_prefix(n);
    double ms;
    if (unit == "ms") ms = v;
    else if (unit == "s") ms = v * 1000;
    else if (unit == "m") ms = v * 60000;
    else if (unit == "h") ms = v * 3600000;
    else if (unit == "us" || unit == "µs") ms = v / 1000;
    else if (unit == "ns") ms = v / 1e6;
    else return make_error("--interval: invalid duration \"{}\" (units: ns, us, ms, s, m, h)", text);
    total += milliseconds(static_cast<int64_t>(ms));
  }
  if (total <= milliseconds(0)) return make_error("--interval: duration must be positive, got \"{}\"", text);
  return total;
}

Result<nlohmann::json> read_json_input(const std::string &path) {
  std::string text;
  if (path == "-") {
    // read(2), not std::cin: <iostream> would construct the standard streams
    // (and page in the locale code) at every start of berth, for this one use.
    char buf[4096];
    for (;;) {
      ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return sys_error(errno, "read standard input");
      if (n == 0) break;
      text.append(buf, n);
    }
  } else {
    FILE *f = std::fopen(path.c_str(), "re");
    if (!f) return sys_error(errno, "open {}", path);
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
    std::fclose(f);
  }
  try {
    auto j = nlohmann::json::parse(text);
    if (!j.is_object()) return make_error("{}: expected a JSON object of linux.resources", path == "-" ? "stdin" : path);
    return j;
  } catch (const nlohmann::json::exception &e) {
    return make_error("{}: invalid JSON: {}", path == "-" ? "stdin" : path, e.what());
  }
}

// The update's linux.resources as JSON: -r's document, then each flag over it.
Result<nlohmann::json> update_request(const cli::Parsed &p) {
  nlohmann::json r = nlohmann::json::object();
  if (p.has("resources")) r = TRY(read_json_input(p.get("resources")));
  auto set = [&](const char *section, const char *key, nlohmann::json v) { r[section][key] = std::move(v); };
  if (p.has("memory")) set("memory", "limit", TRY(parse_size("memory", p.get("memory"))));
  if (p.has("memory-reservation")) set("memory", "reservation", TRY(parse_size("memory-reservation", p.get("memory-reservation"))));
  if (p.has("memory-swap")) set("memory", "swap", TRY(parse_size("memory-swap", p.get("memory-swap"))));
  if (p.has("kernel-memory")) log::warning("update: --kernel-memory is ignored (kernel memory limits are deprecated in Linux)");
  if (p.has("kernel-memory-tcp")) set("memory", "kernelTCP", TRY(parse_size("kernel-memory-tcp", p.get("kernel-memory-tcp"))));
  for (const char *flag : {"cpu-share", "cpu-shares"})
    if (p.has(flag)) set("cpu", "shares", TRY(parse_uint(flag, p.get(flag))));
  if (p.has("cpu-period")) set("cpu", "period", TRY(parse_uint("cpu-period", p.get("cpu-period"))));
  if (p.has("cpu-quota")) set("cpu", "quota", TRY(parse_int("cpu-quota", p.get("cpu-quota"))));
  if (p.has("cpu-burst")) set("cpu", "burst", TRY(parse_uint("cpu-burst", p.get("cpu-burst"))));
  if (p.has("cpu-idle")) set("cpu", "idle", TRY(parse_int("cpu-idle", p.get("cpu-idle"))));
  if (p.has("cpu-rt-period")) set("cpu", "realtimePeriod", TRY(parse_uint("cpu-rt-period", p.get("cpu-rt-period"))));
  if (p.has("cpu-rt-runtime")) set("cpu", "realtimeRuntime", TRY(parse_int("cpu-rt-runtime", p.get("cpu-rt-runtime"))));
  if (p.has("cpuset-cpus")) set("cpu", "cpus", p.get("cpuset-cpus"));
  if (p.has("cpuset-mems")) set("cpu", "mems", p.get("cpuset-mems"));
  if (p.has("pids-limit")) set("pids", "limit", TRY(parse_int("pids-limit", p.get("pids-limit"))));
  if (p.has("blkio-weight")) set("blockIO", "weight", TRY(parse_uint("blkio-weight", p.get("blkio-weight"))));
  return r;
}

// Parsed with the config parser, so values are checked and errors read as
// for config.json ("linux.resources.memory.limit: ...").
Result<Resources> parse_resources_json(const nlohmann::json &r) {
  nlohmann::json doc = {{"ociVersion", "1.0.2"}, {"linux", {{"resources", r}}}};
  auto spec = TRY(parse_spec(doc.dump()));
  return spec.linux && spec.linux->resources ? *spec.linux->resources : Resources{};
}

void print_line(const nlohmann::ordered_json &j) {
  fmt::print("{}\n", j.dump());
  std::fflush(stdout);
}

nlohmann::ordered_json stats_event(const std::string &id, const cgroups::Stats &s, const std::optional<RdtGroup> &rdt) {
  nlohmann::ordered_json j;
  j["type"] = "stats";
  j["id"] = id;
  j["data"] = cgroups::stats_to_json(s);
  // runc's key, beside the cgroup ones.
  if (rdt) j["data"]["intel_rdt"] = intel_rdt_stats(*rdt);
  return j;
}

}  // namespace

int pause(const Context &ctx, const cli::Parsed &p) {
  const std::string &id = p.positional[0];
  auto c = open_container(ctx, id);
  if (!c) return fail("pause", id, c.error());
  if (c->status != Status::Running && c->status != Status::Created)
    return fail("pause", id, Error{0, "container not running"});
  if (auto r = c->cg->freeze(); !r) return fail("pause", id, r.error());
  return 0;
}

int resume(const Context &ctx, const cli::Parsed &p) {
  const std::string &id = p.positional[0];
  auto c = open_container(ctx, id);
  if (!c) return fail("resume", id, c.error());
  if (c->status != Status::Paused) return fail("resume", id, Error{0, "container not paused"});
  if (auto r = c->cg->thaw(); !r) return fail("resume", id, r.error());
  return 0;
}

int update(const Context &ctx, const cli::Parsed &p) {
  const std::string &id = p.positional[0];
  auto c = open_container(ctx, id);
  if (!c) return fail("update", id, c.error());
  if (c->status == Status::Stopped) return fail("update", id, Error{0, "cannot update a container that has stopped"});
  auto request = update_request(p);
  if (!request) return fail("update", id, request.error());
  auto resources = parse_resources_json(*request);
  if (!resources) return fail("update", id, resources.error());
  RdtSchemaUpdate rdt{p.get("l3-cache-schema"), p.get("mem-bw-schema")};
  if (!rdt.l3_cache_schema.empty() || !rdt.mem_bw_schema.empty()) {
    std::optional<RdtGroup> group;
    if (auto g = c->state.extra.find("intelRdt"); g != c->state.extra.end()) group = RdtGroup::from_json(*g);
    if (auto r = update_intel_rdt(group ? &*group : nullptr, rdt); !r) return fail("update", id, r.error());
  }
  if (auto r = c->cg->apply(*resources); !r) return fail("update", id, r.error());
  // Remembered, so what was changed after create can be told (and re-applied) later.
  nlohmann::json stored = c->state.extra.is_object() && c->state.extra.contains("resources")
                              ? c->state.extra["resources"]
                              : nlohmann::json::object();
  stored.merge_patch(*request);
  if (!c->state.extra.is_object()) c->state.extra = nlohmann::json::object();
  c->state.extra["resources"] = stored;
  if (auto r = c->dir.save(c->state); !r) return fail("update", id, r.error());
  return 0;
}

int events(const Context &ctx, const cli::Parsed &p) {
  using namespace std::chrono;
  const std::string &id = p.positional[0];
  auto interval = parse_duration(p.get("interval", "5s"));
  if (!interval) return fail("events", id, interval.error());
  std::unique_ptr<cgroups::Manager> cg;
  std::optional<RdtGroup> rdt;
  {
    // Not held while streaming: delete and the other commands must go on.
    auto c = open_container(ctx, id);
    if (!c) return fail("events", id, c.error());
    if (c->status == Status::Stopped) return fail("events", id, Error{0, fmt::format("container {} is not running", id)});
    cg = std::move(c->cg);
    if (auto r = c->state.extra.find("intelRdt"); r != c->state.extra.end()) rdt = RdtGroup::from_json(*r);
  }
  if (p.flag("stats")) {
    auto s = cg->stats();
    if (!s) return fail("events", id, s.error());
    print_line(stats_event(id, *s, rdt));
    return 0;
  }
  auto watch = cg->watch_oom();
  if (!watch) log::warning(fmt::format("events {}: no OOM events: {}", id, watch.error().message));
  auto report_ooms = [&] {
    if (!watch) return;
    auto n = watch->take();
    for (uint64_t i = 0; n && i < *n; ++i) print_line({{"type", "oom"}, {"id", id}});
  };
  auto next = steady_clock::now();
  for (;;) {
    auto now = steady_clock::now();
    if (now >= next) {
      if (auto s = cg->stats()) print_line(stats_event(id, *s, rdt));
      next = now + *interval;
    }
    // Wake at least every 250ms to notice the container stopping.
    auto wait = std::min(duration_cast<milliseconds>(next - now), milliseconds(250));
    pollfd pfd{watch ? watch->fd() : -1, POLLIN, 0};
    int r = ::poll(&pfd, 1, static_cast<int>(std::max<int64_t>(wait.count(), 0)));
    if (r > 0 && (pfd.revents & POLLIN)) report_ooms();
    auto v = container_state(ctx.runtime, id);
    if (!v || v->status == Status::Stopped) {
      report_ooms();
      return 0;
    }
  }
}

int ps(const Context &ctx, const cli::Parsed &p) {
  const std::string &id = p.positional[0];
  std::string format = p.get("format", "table");
  if (format != "table" && format != "json")
    return fail("ps", id, Error{0, fmt::format("invalid format option \"{}\": use table or json", format)});
  std::vector<pid_t> pids;
  {
    auto c = open_container(ctx, id);
    if (!c) return fail("ps", id, c.error());
    if (c->status == Status::Stopped) return fail("ps", id, Error{0, fmt::format("container {} is not running", id)});
    auto list = c->cg->pids();
    if (!list) return fail("ps", id, list.error());
    pids = std::move(*list);
  }
  if (format == "json") {
    fmt::print("{}\n", nlohmann::json(pids).dump());
    return 0;
  }
  // ps(1) with the caller's options (default -ef), keeping the header and the
  // lines whose PID column is one of the container's.
  std::vector<std::string> argv = {"ps"};
  // "berth ps c1 -- -o pid" and "berth ps c1 -o pid" both pass "-o pid" to ps(1).
  auto first = p.positional.begin() + 1;
  if (first != p.positional.end() && *first == "--") ++first;
  if (first != p.positional.end()) argv.insert(argv.end(), first, p.positional.end());
  else
    argv.push_back("-ef");
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) < 0) return fail("ps", id, Error{errno, fmt::format("pipe: {}", std::strerror(errno))});
  pid_t child = ::fork();
  if (child < 0) return fail("ps", id, Error{errno, fmt::format("fork: {}", std::strerror(errno))});
  if (child == 0) {
    ::dup2(fds[1], 1);
    std::vector<char *> a;
    for (auto &s : argv) a.push_back(s.data());
    a.push_back(nullptr);
    ::execvp("ps", a.data());
    std::fprintf(stderr, "exec ps: %s\n", std::strerror(errno));
    _exit(127);
  }
  ::close(fds[1]);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fds[0], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
    if (n > 0) out.append(buf, static_cast<size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return fail("ps", id, Error{0, fmt::format("ps {} failed", fmt::join(argv.begin() + 1, argv.end(), " "))});
  auto words = [](std::string_view line) {
    std::vector<std::string_view> w;
    size_t i = 0;
    while (i < line.size()) {
      size_t j = line.find_first_of(" \t", i);
      if (j == std::string_view::npos) j = line.size();
      if (j > i) w.push_back(line.substr(i, j - i));
      i = j + 1;
    }
    return w;
  };
  std::set<pid_t> mine(pids.begin(), pids.end());
  std::string_view text = out;
  size_t nl = text.find('\n');
  std::string_view header = text.substr(0, nl);
  auto cols = words(header);
  auto pid_col = std::find(cols.begin(), cols.end(), "PID");
  if (pid_col == cols.end()) return fail("ps", id, Error{0, "couldn't find PID field in ps output"});
  size_t col = static_cast<size_t>(pid_col - cols.begin());
  fmt::print("{}\n", header);
  text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
  while (!text.empty()) {
    nl = text.find('\n');
    auto line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    auto w = words(line);
    if (w.size() <= col) continue;
    pid_t pid = 0;
    std::from_chars(w[col].data(), w[col].data() + w[col].size(), pid);
    if (mine.contains(pid)) fmt::print("{}\n", line);
  }
  return 0;
}

}  // namespace berth::cmd
