// state, list, spec: commands that read or write files but run nothing.
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "libcontainer/file_util.h"
#include "libcontainer/spec_parser.h"
#include "runtime/commands.h"

namespace berth::cmd {

int state(const Context &ctx, const cli::Parsed &p) {
  auto v = container_state(ctx.runtime, p.positional[0]);
  if (!v) return fail("state", p.positional[0], v.error());
  fmt::print("{}\n", state_json_text(*v));
  return 0;
}

int list(const Context &ctx, const cli::Parsed &p) {
  std::string format = p.get("format", "table");
  if (format != "table" && format != "json")
    return fail("list", "", Error{0, fmt::format("invalid format option \"{}\": use table or json", format)});
  auto all = list_containers(ctx.runtime);
  if (!all) return fail("list", "", all.error());
  if (p.flag("quiet")) {
    for (const auto &v : *all) fmt::print("{}\n", v.state.id);
    return 0;
  }
  if (format == "json") {
    nlohmann::ordered_json arr = nlohmann::ordered_json::array();
    for (const auto &v : *all) {
      nlohmann::ordered_json j;
      j["ociVersion"] = v.state.oci_version;
      j["id"] = v.state.id;
      j["pid"] = v.status == Status::Stopped ? 0 : v.state.pid;
      j["status"] = status_name(v.status);
      j["bundle"] = v.state.bundle;
      j["rootfs"] = v.state.rootfs;
      j["created"] = v.state.created;
      j["owner"] = v.state.owner;
      if (!v.state.annotations.empty()) j["annotations"] = v.state.annotations;
      arr.push_back(j);
    }
    fmt::print("{}\n", arr.dump());
    return 0;
  }
  // runc aligns columns like Go's tabwriter with a padding of 3.
  std::vector<std::array<std::string, 6>> rows = {{"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"}};
  for (const auto &v : *all)
    rows.push_back({v.state.id, std::to_string(v.status == Status::Stopped ? 0 : v.state.pid),
                    std::string(status_name(v.status)), v.state.bundle, v.state.created, v.state.owner});
  std::array<size_t, 6> width{};
  for (const auto &r : rows)
    for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  for (const auto &r : rows) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i)
      line += i + 1 < r.size() ? fmt::format("{:<{}}", r[i], width[i] + 3) : r[i];
    fmt::print("{}\n", line);
  }
  return 0;
}

int spec(const Context &, const cli::Parsed &p) {
  std::string dir = p.get("bundle", ".");
  if (dir.empty()) dir = ".";
  std::string path = dir + "/config.json";
  if (::access(path.c_str(), F_OK) == 0) return fail("spec", "", Error{EEXIST, fmt::format("File {} exists. Remove it first", path)});
  auto text = default_spec(p.flag("rootless")).dump(4) + "\n";
  if (auto r = write_file_atomic(path, text, 0644); !r) return fail("spec", "", r.error());
  return 0;
}

}  // namespace berth::cmd
