// version, info and the image commands: pull, images, inspecti, rmi, imagefsinfo.
#include <fmt/core.h>
#include <unistd.h>

#include <cstdio>

#include "crid/ctl/command_support.h"
#include "crid/ctl/commands.h"
#include "crid/ctl/pull_progress_view.h"
#include "crid/pull_progress_api.h"
#include "crid/proto/pull_progress.grpc.pb.h"

namespace berth::cridctl {

namespace v1 = runtime::v1;

int cmd_version(const Globals &g, const Argv &argv) {
  parse_or_fail(argv, {}, "version");
  auto stub = runtime_stub(g);
  auto ctx = call_context(g);
  v1::VersionRequest req;
  req.set_version("v1");
  v1::VersionResponse resp;
  check(stub->Version(ctx.get(), req, &resp), "get the runtime version");
  fmt::print("Version:  {}\nRuntimeName:  {}\nRuntimeVersion:  {}\nRuntimeApiVersion:  {}\n", resp.version(),
             resp.runtime_name(), resp.runtime_version(), resp.runtime_api_version());
  return 0;
}

int cmd_info(const Globals &g, const Argv &argv) {
  ParsedArgs a = parse_or_fail(argv, {{"output", 'o', true}, {"quiet", 'q'}}, "info");
  OutputFormat format = output_or_fail(a, "info", OutputFormat::Json, {OutputFormat::Json, OutputFormat::Yaml});
  auto stub = runtime_stub(g);
  auto ctx = call_context(g);
  v1::StatusRequest req;
  req.set_verbose(!a.has("quiet"));
  v1::StatusResponse resp;
  check(stub->Status(ctx.get(), req, &resp), "get the runtime status");
  ojson out = ojson::object();
  out["status"] = message_json(resp.status());
  if (resp.runtime_handlers_size() > 0) {
    ojson handlers = ojson::array();
    for (const auto &h : resp.runtime_handlers()) handlers.push_back(message_json(h));
    out["runtimeHandlers"] = handlers;
  }
  if (resp.has_features()) out["features"] = message_json(resp.features());
  ojson info = info_json(resp.info());
  for (auto &[k, v] : info.items()) out[k] = v;
  print_structured(out, format);
  return 0;
}

int cmd_pull(const Globals &g, const Argv &argv) {
  ParsedArgs a = parse_or_fail(
      argv, {{"creds", 0, true}, {"auth", 0, true}, {"username", 'u', true}, {"password", 0, true}}, "pull");
  if (a.positional.size() != 1) fail("pull: expected exactly one IMAGE");
  const std::string &image = a.positional[0];
  v1::PullImageRequest req;
  req.mutable_image()->set_image(image);
  if (auto creds = a.value("creds")) {
    auto colon = creds->find(':');
    req.mutable_auth()->set_username(creds->substr(0, colon));
    if (colon != std::string::npos) req.mutable_auth()->set_password(creds->substr(colon + 1));
  }
  if (auto v = a.value("username")) req.mutable_auth()->set_username(*v);
  if (auto v = a.value("password")) req.mutable_auth()->set_password(*v);
  if (auto v = a.value("auth")) req.mutable_auth()->set_auth(*v);
  std::string what = fmt::format("pull image \"{}\"", image);
  auto channel = connect(g.image_endpoint, g.timeout_seconds);
  // crid's PullProgress stream first (the layers as they come); CRI's
  // PullImage where the endpoint does not have it (another runtime).
  {
    auto progress = berth::pull::v1::PullProgress::NewStub(channel);
    auto ctx = call_context_with_timeout(0);  // a pull takes as long as the layers take
    auto reader = progress->PullImage(ctx.get(), req);
    PullProgressView view(stdout, ::isatty(STDOUT_FILENO) == 1);
    berth::pull::v1::PullEvent ev;
    std::string image_ref;
    while (reader->Read(&ev)) {
      if (ev.has_layer()) {
        const auto &l = ev.layer();
        auto phase = l.state() <= 3 ? static_cast<LayerPhase>(l.state()) : LayerPhase::downloading;
        view.update(l.digest(), phase, l.done(), l.total());
      }
      if (!ev.image_ref().empty()) image_ref = ev.image_ref();
    }
    grpc::Status s = reader->Finish();
    if (s.error_code() != grpc::StatusCode::UNIMPLEMENTED) {
      check(s, what);
      fmt::print("Image is up to date for {}\n", image_ref);
      return 0;
    }
  }
  auto stub = v1::ImageService::NewStub(channel);
  auto ctx = call_context_with_timeout(0);
  v1::PullImageResponse resp;
  check(stub->PullImage(ctx.get(), req, &resp), what);
  fmt::print("Image is up to date for {}\n", resp.image_ref());
  return 0;
}

namespace {

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

// ImageStatus for ref; exits with crictl's message when there is no such image.
v1::ImageStatusResponse image_status(v1::ImageService::Stub &stub, const Globals &g, const std::string &ref,
                                     bool verbose) {
  auto ctx = call_context(g);
  v1::ImageStatusRequest req;
  req.mutable_image()->set_image(ref);
  req.set_verbose(verbose);
  v1::ImageStatusResponse resp;
  check(stub.ImageStatus(ctx.get(), req, &resp), fmt::format("image status of \"{}\"", ref));
  if (!resp.has_image()) fail(fmt::format("no such image \"{}\" present", ref));
  return resp;
}

}  // namespace

int cmd_images(const Globals &g, const Argv &argv) {
  ParsedArgs a = parse_or_fail(
      argv, {{"quiet", 'q'}, {"output", 'o', true}, {"digests"}, {"no-trunc"}, {"verbose", 'v'}}, "images");
  if (a.positional.size() > 1) fail("images: expected at most one IMAGE filter");
  OutputFormat format = output_or_fail(a, "images", OutputFormat::Table,
                                       {OutputFormat::Table, OutputFormat::Json, OutputFormat::Yaml});
  v1::ListImagesRequest req;
  if (!a.positional.empty()) req.mutable_filter()->mutable_image()->set_image(a.positional[0]);
  auto stub = image_stub(g);
  auto ctx = call_context(g);
  v1::ListImagesResponse resp;
  check(stub->ListImages(ctx.get(), req, &resp), "list images");

  if (a.has("quiet")) {
    for (const auto &image : resp.images()) fmt::print("{}\n", image.id());
    return 0;
  }
  if (format != OutputFormat::Table) {
    print_structured(message_json(resp), format);
    return 0;
  }
  bool digests = a.has("digests"), no_trunc = a.has("no-trunc");
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
      if (!no_trunc) digest = truncate_id(digest, false);
      std::string size = human_size(static_cast<double>(image.size()), 3);
      if (digests) rows.push_back({repo, tag, digest, truncate_id(image.id(), no_trunc), size});
      else rows.push_back({repo, tag, truncate_id(image.id(), no_trunc), size});
    }
  }
  fmt::print("{}", format_table(rows));
  return 0;
}

int cmd_inspecti(const Globals &g, const Argv &argv) {
  ParsedArgs a = parse_or_fail(argv, {{"output", 'o', true}, {"quiet", 'q'}}, "inspecti");
  if (a.positional.empty()) fail("inspecti: expected at least one IMAGE");
  OutputFormat format =
      output_or_fail(a, "inspecti", OutputFormat::Json, {OutputFormat::Json, OutputFormat::Yaml});
  auto stub = image_stub(g);
  for (const auto &ref : a.positional) {
    v1::ImageStatusResponse resp = image_status(*stub, g, ref, !a.has("quiet"));
    ojson out = ojson::object();
    out["status"] = message_json(resp.image());
    if (!a.has("quiet")) out["info"] = info_json(resp.info());
    print_structured(out, format);
  }
  return 0;
}

int cmd_rmi(const Globals &g, const Argv &argv) {
  ParsedArgs a = parse_or_fail(argv, {}, "rmi");
  if (a.positional.empty()) fail("rmi: expected at least one IMAGE");
  auto stub = image_stub(g);
  int rc = 0;
  for (const auto &ref : a.positional) {
    v1::ImageStatusResponse status = image_status(*stub, g, ref, false);
    auto ctx = call_context(g);
    v1::RemoveImageRequest req;
    req.mutable_image()->set_image(status.image().id());
    v1::RemoveImageResponse resp;
    grpc::Status s = stub->RemoveImage(ctx.get(), req, &resp);
    if (failed_call(s, fmt::format("remove image \"{}\"", ref), rc)) continue;
    if (status.image().repo_tags_size() == 0) fmt::print("Deleted: {}\n", status.image().id());
    for (const auto &t : status.image().repo_tags()) fmt::print("Deleted: {}\n", t);
  }
  return rc;
}

int cmd_imagefsinfo(const Globals &g, const Argv &argv) {
  ParsedArgs a = parse_or_fail(argv, {{"output", 'o', true}}, "imagefsinfo");
  OutputFormat format =
      output_or_fail(a, "imagefsinfo", OutputFormat::Json, {OutputFormat::Json, OutputFormat::Yaml});
  auto stub = image_stub(g);
  auto ctx = call_context(g);
  v1::ImageFsInfoRequest req;
  v1::ImageFsInfoResponse resp;
  check(stub->ImageFsInfo(ctx.get(), req, &resp), "get image filesystem info");
  ojson out = ojson::object();
  out["status"] = message_json(resp);
  print_structured(out, format);
  return 0;
}

}  // namespace berth::cridctl
