#include "images/fetch_request.h"

#include <nlohmann/json.hpp>

namespace berth::images {

using nlohmann::json;

namespace {

constexpr std::string_view kOps[] = {"pull", "unpack-layers", "unpack-rootfs"};
constexpr std::string_view kStates[] = {"waiting", "downloading", "exists", "done"};

json options_to_json(const FetchOptions &o) {
  json registries = json::object();
  for (const auto &[host, r] : o.registries) registries[host] = {{"insecure", r.insecure}, {"mirrors", r.mirrors}};
  return {{"root", o.root},
          {"default_registry", o.default_registry},
          {"registries", registries},
          {"platform", {{"os", o.platform.os}, {"architecture", o.platform.architecture}, {"variant", o.platform.variant}}},
          {"user_agent", o.user_agent},
          {"connect_timeout_seconds", o.connect_timeout_seconds}};
}

FetchOptions options_from_json(const json &j) {
  FetchOptions o;
  o.root = j.at("root").get<std::string>();
  o.default_registry = j.at("default_registry").get<std::string>();
  for (const auto &[host, r] : j.at("registries").items()) {
    auto &opts = o.registries[host];
    opts.insecure = r.at("insecure").get<bool>();
    opts.mirrors = r.at("mirrors").get<std::vector<std::string>>();
  }
  const json &p = j.at("platform");
  o.platform = {p.at("os").get<std::string>(), p.at("architecture").get<std::string>(), p.at("variant").get<std::string>()};
  o.user_agent = j.at("user_agent").get<std::string>();
  o.connect_timeout_seconds = j.at("connect_timeout_seconds").get<long>();
  return o;
}

}  // namespace

std::string fetch_request_to_json(const FetchRequest &r) {
  json j = {{"op", kOps[static_cast<int>(r.op)]}, {"options", options_to_json(r.options)}};
  switch (r.op) {
    case FetchRequest::Op::pull:
      j["ref"] = r.ref;
      j["auth"] = {{"username", r.auth.username},
                   {"password", r.auth.password},
                   {"auth", r.auth.auth},
                   {"identity_token", r.auth.identity_token},
                   {"registry_token", r.auth.registry_token}};
      j["progress"] = r.progress;
      break;
    case FetchRequest::Op::unpack_rootfs:
      j["dest_dir"] = r.dest_dir;
      [[fallthrough]];
    case FetchRequest::Op::unpack_layers:
      j["image"] = json::parse(record_to_json(r.image));
      break;
  }
  return j.dump();
}

Result<FetchRequest> fetch_request_from_json(std::string_view text) {
  try {
    json j = json::parse(text);
    FetchRequest r;
    auto op = j.at("op").get<std::string>();
    auto it = std::find(std::begin(kOps), std::end(kOps), op);
    if (it == std::end(kOps)) return make_error("fetch request: unknown op \"{}\"", op);
    r.op = static_cast<FetchRequest::Op>(it - std::begin(kOps));
    r.options = options_from_json(j.at("options"));
    if (r.op == FetchRequest::Op::pull) {
      r.ref = j.at("ref").get<std::string>();
      const json &a = j.at("auth");
      r.auth = {a.at("username").get<std::string>(), a.at("password").get<std::string>(), a.at("auth").get<std::string>(),
                a.at("identity_token").get<std::string>(), a.at("registry_token").get<std::string>()};
      r.progress = j.at("progress").get<bool>();
    } else {
      r.image = TRY(record_from_json(j.at("image").dump()));
      if (r.op == FetchRequest::Op::unpack_rootfs) r.dest_dir = j.at("dest_dir").get<std::string>();
    }
    return r;
  } catch (const json::exception &e) {
    return make_error("fetch request: {}", e.what());
  }
}

std::string progress_line(const std::string &digest, LayerState state, uint64_t done, uint64_t total) {
  return json{{"layer", digest}, {"state", kStates[static_cast<int>(state)]}, {"done", done}, {"total", total}}.dump();
}

std::string result_line(const ImageRecord *image) {
  return image ? json{{"image", json::parse(record_to_json(*image))}}.dump() : json{{"ok", true}}.dump();
}

std::string error_line(const Error &error) { return json{{"error", {{"code", error.code}, {"message", error.message}}}}.dump(); }

std::optional<FetchReply> parse_reply_line(std::string_view line, PullObserver *observer) {
  auto bad = [&](std::string_view why) {
    return FetchReply{std::unexpected(Error{EPROTO, fmt::format("pull helper: {} in \"{}\"", why, line.substr(0, 200))})};
  };
  try {
    json j = json::parse(line);
    if (j.contains("layer")) {
      auto state = j.at("state").get<std::string>();
      auto it = std::find(std::begin(kStates), std::end(kStates), state);
      if (it == std::end(kStates)) return bad("an unknown layer state");
      if (observer)
        observer->layer(j.at("layer").get<std::string>(), static_cast<LayerState>(it - std::begin(kStates)),
                        j.at("done").get<uint64_t>(), j.at("total").get<uint64_t>());
      return std::nullopt;
    }
    if (j.contains("error")) {
      const json &e = j.at("error");
      return FetchReply{std::unexpected(Error{e.at("code").get<int>(), e.at("message").get<std::string>()})};
    }
    if (j.contains("image")) {
      auto image = record_from_json(j.at("image").dump());
      if (!image) return FetchReply{std::unexpected(image.error())};
      return FetchReply{std::optional<ImageRecord>(std::move(*image))};
    }
    if (j.contains("ok")) return FetchReply{};
    return bad("a line of no known kind");
  } catch (const json::exception &e) {
    return bad(e.what());
  }
}

}  // namespace berth::images
