// cridctl: a CRI client for people and tests. Subcommands, flags and output
// follow crictl's, so crictl users feel at home:
//   cridctl [-r ENDPOINT] [-i ENDPOINT] [-t SECONDS] version|info|pull|images|inspecti|rmi|imagefsinfo
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <fmt/core.h>
#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>
#include <nlohmann/json.hpp>

#include <config.h>  // the build's (autoconf); crid/config.h is crid's settings
#include "crid/cri_api.h"

namespace {

using ojson = nlohmann::ordered_json;
namespace v1 = runtime::v1;

constexpr const char *kDefaultEndpoint = "unix:///run/crid/crid.sock";


struct Globals {
  std::string runtime_endpoint;
  std::string image_endpoint;
  double timeout_seconds = 10;
};

[[noreturn]] void fail(const std::string &message) {
  fmt::print(stderr, "cridctl: {}\n", message);
  std::exit(1);
}

void usage(FILE *out) {
  fmt::print(out,
             "Usage: cridctl [global flags] COMMAND [flags] [args]\n\n"
             "A CRI client for crid, with crictl's commands and output.\n\n"
             "Commands:\n"
             "  version                        runtime name and version\n"
             "  info                           runtime status and configuration (JSON)\n"
             "  pull [--creds USER[:PASS]] [--auth BASE64] IMAGE\n"
             "                                 pull an image\n"
             "  images [-q] [-o table|json] [--digests] [--no-trunc] [IMAGE]\n"
             "                                 list images\n"
             "  inspecti [-o json] IMAGE...    status of images (JSON)\n"
             "  rmi IMAGE...                   remove images\n"
             "  imagefsinfo                    usage of the image filesystem (JSON)\n\n"
             "Global flags:\n"
             "  -r, --runtime-endpoint ADDR    runtime service address (default $CONTAINER_RUNTIME_ENDPOINT or {0})\n"
             "  -i, --image-endpoint ADDR      image service address (default $IMAGE_SERVICE_ENDPOINT,\n"
             "                                 else the runtime endpoint)\n"
             "  -t, --timeout SECONDS          timeout for connecting and for each call but pull (default 10)\n"
             "  -h, --help                     show this help\n"
             "  -v, --version                  print cridctl's version\n",
             kDefaultEndpoint);
}

// crictl's sizes: decimal units, three significant digits ("2.23MB").
std::string human_size(double size) {
  static const char *units[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
  size_t i = 0;
  while (size >= 1000 && i + 1 < std::size(units)) {
    size /= 1000;
    ++i;
  }
  return fmt::format("{:.3g}{}", size, units[i]);
}

std::string to_json(const google::protobuf::Message &m) {
  google::protobuf::util::JsonPrintOptions opts;
  opts.add_whitespace = true;
  opts.always_print_primitive_fields = true;
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(m, &out, opts);
  return out;
}

ojson json_of(const google::protobuf::Message &m) { return ojson::parse(to_json(m)); }

// Info maps carry JSON text per key; show it as JSON, or as the string it is.
ojson parse_info(const google::protobuf::Map<std::string, std::string> &info) {
  ojson out = ojson::object();
  std::set<std::string> keys;
  for (const auto &[k, v] : info) keys.insert(k);
  for (const auto &k : keys) {
    ojson value = ojson::parse(info.at(k), nullptr, false);
    out[k] = value.is_discarded() ? ojson(info.at(k)) : value;
  }
  return out;
}

// A unix endpoint whose socket is missing or refuses connections means crid
// is not running: say that, rather than gRPC's generic "failed to connect".
std::optional<std::string> unreachable_reason(const std::string &endpoint) {
  constexpr std::string_view scheme = "unix://";
  if (!endpoint.starts_with(scheme)) return std::nullopt;
  std::string path = endpoint.substr(scheme.size());
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return fmt::format("{}: {}", path, std::strerror(errno));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) return fmt::format("{}: path too long for a unix socket", path);
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int rc = ::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr);
  int err = errno;
  ::close(fd);
  if (rc != 0) return fmt::format("{}: {}", path, std::strerror(err));
  return std::nullopt;
}

std::shared_ptr<grpc::Channel> connect(const std::string &endpoint, double timeout) {
  std::string target = endpoint;
  if (!target.starts_with("unix://") && target.starts_with("/")) target = "unix://" + target;
  if (auto why = unreachable_reason(target))
    fail(fmt::format("connect to {}: {} (is crid running?)", target, *why));
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(16 << 20);
  auto channel = grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
  auto deadline = std::chrono::system_clock::now() + std::chrono::milliseconds(static_cast<long>(timeout * 1000));
  if (!channel->WaitForConnected(deadline))
    fail(fmt::format("connect to {}: no answer within {}s (is crid running?)", target, timeout));
  return channel;
}

void set_deadline(grpc::ClientContext &ctx, double timeout) {
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(static_cast<long>(timeout * 1000)));
}

void check(const grpc::Status &status, std::string_view what) {
  if (status.ok()) return;
  fail(fmt::format("{}: {} ({})", what, status.error_message(), static_cast<int>(status.error_code())));
}

// Subcommand flags: --name VALUE, --name=VALUE, -x VALUE, boolean -x/--name.
struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::string> values;
  std::set<std::string> flags;
};

Args parse_args(const std::vector<std::string> &in, const std::map<std::string, std::string> &aliases,
                const std::set<std::string> &with_value, const std::set<std::string> &booleans,
                std::string_view command) {
  Args out;
  for (size_t i = 0; i < in.size(); ++i) {
    std::string a = in[i];
    if (a.size() < 2 || a[0] != '-') {
      out.positional.push_back(a);
      continue;
    }
    std::optional<std::string> value;
    if (auto eq = a.find('='); eq != std::string::npos) {
      value = a.substr(eq + 1);
      a = a.substr(0, eq);
    }
    std::string name = a.starts_with("--") ? a.substr(2) : a.substr(1);
    if (auto it = aliases.find(name); it != aliases.end()) name = it->second;
    if (booleans.count(name)) {
      out.flags.insert(name);
    } else if (with_value.count(name)) {
      if (!value) {
        if (i + 1 >= in.size()) fail(fmt::format("{}: flag {} needs a value", command, a));
        value = in[++i];
      }
      out.values[name] = *value;
    } else {
      fail(fmt::format("{}: unknown flag {} (see cridctl --help)", command, a));
    }
  }
  return out;
}

int cmd_version(const Globals &g, const std::vector<std::string> &) {
  auto stub = v1::RuntimeService::NewStub(connect(g.runtime_endpoint, g.timeout_seconds));
  grpc::ClientContext ctx;
  set_deadline(ctx, g.timeout_seconds);
  v1::VersionRequest req;
  req.set_version("v1");
  v1::VersionResponse resp;
  check(stub->Version(&ctx, req, &resp), "get the runtime version");
  fmt::print("Version:  {}\nRuntimeName:  {}\nRuntimeVersion:  {}\nRuntimeApiVersion:  {}\n", resp.version(),
             resp.runtime_name(), resp.runtime_version(), resp.runtime_api_version());
  return 0;
}

int cmd_info(const Globals &g, const std::vector<std::string> &) {
  auto stub = v1::RuntimeService::NewStub(connect(g.runtime_endpoint, g.timeout_seconds));
  grpc::ClientContext ctx;
  set_deadline(ctx, g.timeout_seconds);
  v1::StatusRequest req;
  req.set_verbose(true);
  v1::StatusResponse resp;
  check(stub->Status(&ctx, req, &resp), "get the runtime status");
  ojson out = ojson::object();
  out["status"] = json_of(resp.status());
  if (resp.runtime_handlers_size() > 0) {
    ojson handlers = ojson::array();
    for (const auto &h : resp.runtime_handlers()) handlers.push_back(json_of(h));
    out["runtimeHandlers"] = handlers;
  }
  if (resp.has_features()) out["features"] = json_of(resp.features());
  ojson info = parse_info(resp.info());
  for (auto &[k, v] : info.items()) out[k] = v;
  fmt::print("{}\n", out.dump(2));
  return 0;
}

int cmd_pull(const Globals &g, const std::vector<std::string> &argv) {
  Args a = parse_args(argv, {}, {"creds", "auth", "username", "password"}, {}, "pull");
  if (a.positional.size() != 1) fail("pull: expected exactly one IMAGE");
  v1::PullImageRequest req;
  req.mutable_image()->set_image(a.positional[0]);
  if (a.values.count("creds")) {
    const std::string &creds = a.values["creds"];
    auto colon = creds.find(':');
    req.mutable_auth()->set_username(creds.substr(0, colon));
    if (colon != std::string::npos) req.mutable_auth()->set_password(creds.substr(colon + 1));
  }
  if (a.values.count("username")) req.mutable_auth()->set_username(a.values["username"]);
  if (a.values.count("password")) req.mutable_auth()->set_password(a.values["password"]);
  if (a.values.count("auth")) req.mutable_auth()->set_auth(a.values["auth"]);
  auto stub = v1::ImageService::NewStub(connect(g.image_endpoint, g.timeout_seconds));
  grpc::ClientContext ctx;  // no deadline: a pull takes as long as the layers take
  v1::PullImageResponse resp;
  check(stub->PullImage(&ctx, req, &resp), fmt::format("pull image \"{}\"", a.positional[0]));
  fmt::print("Image is up to date for {}\n", resp.image_ref());
  return 0;
}

// "docker.io/library/busybox:1.36" -> {"docker.io/library/busybox", "1.36"}
std::pair<std::string, std::string> split_tag(const std::string &repo_tag) {
  auto colon = repo_tag.rfind(':');
  auto slash = repo_tag.rfind('/');
  if (colon == std::string::npos || (slash != std::string::npos && colon < slash)) return {repo_tag, "<none>"};
  return {repo_tag.substr(0, colon), repo_tag.substr(colon + 1)};
}

std::string digest_of(const v1::Image &image, const std::string &repo) {
  for (const auto &d : image.repo_digests()) {
    auto at = d.find('@');
    if (at != std::string::npos && d.substr(0, at) == repo) return d.substr(at + 1);
  }
  return image.repo_digests_size() ? image.repo_digests(0).substr(image.repo_digests(0).find('@') + 1) : "<none>";
}

std::string short_id(std::string id, bool no_trunc) {
  if (no_trunc) return id;
  if (id.starts_with("sha256:")) id = id.substr(7);
  return id.substr(0, 13);
}

void print_table(const std::vector<std::vector<std::string>> &rows) {
  // crictl's tabwriter: columns padded to the widest cell plus three spaces, minimum 20.
  std::vector<size_t> widths;
  for (const auto &row : rows)
    for (size_t i = 0; i < row.size(); ++i) {
      if (widths.size() <= i) widths.push_back(0);
      widths[i] = std::max(widths[i], row[i].size());
    }
  for (const auto &row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      if (i + 1 == row.size()) line += row[i];
      else line += fmt::format("{:<{}}", row[i], std::max<size_t>(widths[i] + 3, 20));
    }
    fmt::print("{}\n", line);
  }
}

int cmd_images(const Globals &g, const std::vector<std::string> &argv) {
  Args a = parse_args(argv, {{"q", "quiet"}, {"o", "output"}}, {"output"}, {"quiet", "digests", "no-trunc"}, "images");
  if (a.positional.size() > 1) fail("images: expected at most one IMAGE filter");
  std::string output = a.values.count("output") ? a.values["output"] : "table";
  if (output != "table" && output != "json") fail(fmt::format("images: unknown output format \"{}\" (table or json)", output));
  v1::ListImagesRequest req;
  if (!a.positional.empty()) req.mutable_filter()->mutable_image()->set_image(a.positional[0]);
  auto stub = v1::ImageService::NewStub(connect(g.image_endpoint, g.timeout_seconds));
  grpc::ClientContext ctx;
  set_deadline(ctx, g.timeout_seconds);
  v1::ListImagesResponse resp;
  check(stub->ListImages(&ctx, req, &resp), "list images");

  if (a.flags.count("quiet")) {
    for (const auto &image : resp.images()) fmt::print("{}\n", image.id());
    return 0;
  }
  if (output == "json") {
    fmt::print("{}\n", json_of(resp).dump(2));
    return 0;
  }
  bool digests = a.flags.count("digests"), no_trunc = a.flags.count("no-trunc");
  std::vector<std::vector<std::string>> rows;
  if (digests) rows.push_back({"IMAGE", "TAG", "DIGEST", "IMAGE ID", "SIZE"});
  else rows.push_back({"IMAGE", "TAG", "IMAGE ID", "SIZE"});
  for (const auto &image : resp.images()) {
    std::vector<std::pair<std::string, std::string>> names;
    for (const auto &t : image.repo_tags()) names.push_back(split_tag(t));
    if (names.empty())
      for (const auto &d : image.repo_digests()) names.push_back({d.substr(0, d.find('@')), "<none>"});
    if (names.empty()) names.push_back({"<none>", "<none>"});
    for (const auto &[repo, tag] : names) {
      std::string digest = digest_of(image, repo);
      if (!no_trunc && digest.starts_with("sha256:")) digest = digest.substr(7, 13);
      if (digests) rows.push_back({repo, tag, digest, short_id(image.id(), no_trunc), human_size(image.size())});
      else rows.push_back({repo, tag, short_id(image.id(), no_trunc), human_size(image.size())});
    }
  }
  print_table(rows);
  return 0;
}

// ImageStatus for ref; exits with crictl's message when there is no such image.
v1::ImageStatusResponse image_status(v1::ImageService::Stub &stub, const Globals &g, const std::string &ref,
                                     bool verbose) {
  grpc::ClientContext ctx;
  set_deadline(ctx, g.timeout_seconds);
  v1::ImageStatusRequest req;
  req.mutable_image()->set_image(ref);
  req.set_verbose(verbose);
  v1::ImageStatusResponse resp;
  check(stub.ImageStatus(&ctx, req, &resp), fmt::format("image status of \"{}\"", ref));
  if (!resp.has_image()) fail(fmt::format("no such image \"{}\" present", ref));
  return resp;
}

int cmd_inspecti(const Globals &g, const std::vector<std::string> &argv) {
  Args a = parse_args(argv, {{"o", "output"}, {"q", "quiet"}}, {"output"}, {"quiet"}, "inspecti");
  if (a.positional.empty()) fail("inspecti: expected at least one IMAGE");
  if (a.values.count("output") && a.values["output"] != "json")
    fail(fmt::format("inspecti: unknown output format \"{}\" (json)", a.values["output"]));
  auto stub = v1::ImageService::NewStub(connect(g.image_endpoint, g.timeout_seconds));
  for (const auto &ref : a.positional) {
    v1::ImageStatusResponse resp = image_status(*stub, g, ref, !a.flags.count("quiet"));
    ojson out = ojson::object();
    out["status"] = json_of(resp.image());
    if (!a.flags.count("quiet")) out["info"] = parse_info(resp.info());
    fmt::print("{}\n", out.dump(2));
  }
  return 0;
}

int cmd_rmi(const Globals &g, const std::vector<std::string> &argv) {
  Args a = parse_args(argv, {}, {}, {}, "rmi");
  if (a.positional.empty()) fail("rmi: expected at least one IMAGE");
  auto stub = v1::ImageService::NewStub(connect(g.image_endpoint, g.timeout_seconds));
  int rc = 0;
  for (const auto &ref : a.positional) {
    v1::ImageStatusResponse status = image_status(*stub, g, ref, false);
    grpc::ClientContext ctx;
    set_deadline(ctx, g.timeout_seconds);
    v1::RemoveImageRequest req;
    req.mutable_image()->set_image(status.image().id());
    v1::RemoveImageResponse resp;
    grpc::Status s = stub->RemoveImage(&ctx, req, &resp);
    if (!s.ok()) {
      fmt::print(stderr, "cridctl: remove image \"{}\": {}\n", ref, s.error_message());
      rc = 1;
      continue;
    }
    if (status.image().repo_tags_size() == 0) fmt::print("Deleted: {}\n", status.image().id());
    for (const auto &t : status.image().repo_tags()) fmt::print("Deleted: {}\n", t);
  }
  return rc;
}

int cmd_imagefsinfo(const Globals &g, const std::vector<std::string> &) {
  auto stub = v1::ImageService::NewStub(connect(g.image_endpoint, g.timeout_seconds));
  grpc::ClientContext ctx;
  set_deadline(ctx, g.timeout_seconds);
  v1::ImageFsInfoRequest req;
  v1::ImageFsInfoResponse resp;
  check(stub->ImageFsInfo(&ctx, req, &resp), "get image filesystem info");
  ojson out = ojson::object();
  out["status"] = json_of(resp);
  fmt::print("{}\n", out.dump(2));
  return 0;
}

}  // namespace

int main(int argc, char **argv) {
  Globals g;
  const char *env_runtime = std::getenv("CONTAINER_RUNTIME_ENDPOINT");
  const char *env_image = std::getenv("IMAGE_SERVICE_ENDPOINT");
  g.runtime_endpoint = env_runtime && *env_runtime ? env_runtime : kDefaultEndpoint;
  std::string image_endpoint = env_image && *env_image ? env_image : "";

  std::vector<std::string> args(argv + 1, argv + argc);
  size_t i = 0;
  for (; i < args.size() && args[i].starts_with("-"); ++i) {
    std::string a = args[i];
    std::optional<std::string> value;
    if (auto eq = a.find('='); eq != std::string::npos && a.starts_with("--")) {
      value = a.substr(eq + 1);
      a = a.substr(0, eq);
    }
    auto take = [&]() -> std::string {
      if (value) return *value;
      if (i + 1 >= args.size()) fail(fmt::format("flag {} needs a value", a));
      return args[++i];
    };
    if (a == "-r" || a == "--runtime-endpoint") g.runtime_endpoint = take();
    else if (a == "-i" || a == "--image-endpoint") image_endpoint = take();
    else if (a == "-t" || a == "--timeout") {
      std::string t = take();
      if (t.ends_with("s")) t.pop_back();
      char *end = nullptr;
      g.timeout_seconds = std::strtod(t.c_str(), &end);
      if (t.empty() || *end || g.timeout_seconds <= 0) fail(fmt::format("--timeout: expected seconds, got \"{}\"", t));
    } else if (a == "-h" || a == "--help") {
      usage(stdout);
      return 0;
    } else if (a == "-v" || a == "--version") {
      fmt::print("cridctl version {}\n", PACKAGE_VERSION);
      return 0;
    } else {
      fail(fmt::format("unknown flag {} (see cridctl --help)", a));
    }
  }
  g.image_endpoint = image_endpoint.empty() ? g.runtime_endpoint : image_endpoint;
  if (i >= args.size()) {
    usage(stderr);
    return 1;
  }
  std::string command = args[i];
  std::vector<std::string> rest(args.begin() + static_cast<long>(i) + 1, args.end());
  if (command == "version") return cmd_version(g, rest);
  if (command == "info") return cmd_info(g, rest);
  if (command == "pull") return cmd_pull(g, rest);
  if (command == "images" || command == "image" || command == "img") return cmd_images(g, rest);
  if (command == "inspecti") return cmd_inspecti(g, rest);
  if (command == "rmi") return cmd_rmi(g, rest);
  if (command == "imagefsinfo") return cmd_imagefsinfo(g, rest);
  if (command == "help") {
    usage(stdout);
    return 0;
  }
  fail(fmt::format("unknown command \"{}\" (see cridctl --help)", command));
}
