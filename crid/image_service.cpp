#include "crid/image_service.h"

#include <cerrno>
#include <charconv>

#include <nlohmann/json.hpp>

#include "crid/grpc_status.h"
#include "crid/log.h"

namespace berth::crid {

namespace {

images::Auth to_auth(const runtime::v1::AuthConfig &a) {
  images::Auth auth;
  auth.username = a.username();
  auth.password = a.password();
  auth.auth = a.auth();
  auth.identity_token = a.identity_token();
  auth.registry_token = a.registry_token();
  return auth;
}

rpc::Status invalid(std::string_view what) { return rpc::Status(rpc::StatusCode::INVALID_ARGUMENT, std::string(what)); }

nlohmann::json verbose_info(const images::ImageRecord &r) {
  nlohmann::json layers = nlohmann::json::array();
  for (const auto &l : r.layers)
    layers.push_back({{"digest", l.digest}, {"diffID", l.diff_id}, {"mediaType", l.media_type}, {"size", l.size}});
  const images::ImageConfig &c = r.config;
  return {
      {"id", r.id},
      {"manifestDigest", r.manifest_digest},
      {"indexDigest", r.index_digest},
      {"manifestMediaType", r.manifest_media_type},
      {"pulledAt", r.pulled_at_ns},
      {"layers", layers},
      {"imageSpec",
       {{"os", c.os},
        {"architecture", c.architecture},
        {"variant", c.variant},
        {"created", c.created},
        {"config",
         {{"User", c.user},
          {"Env", c.env},
          {"Entrypoint", c.entrypoint},
          {"Cmd", c.cmd},
          {"WorkingDir", c.working_dir},
          {"ExposedPorts", c.exposed_ports},
          {"Volumes", c.volumes},
          {"Labels", c.labels},
          {"StopSignal", c.stop_signal}}}}},
  };
}

}  // namespace

void to_cri_image(const images::ImageRecord &record, runtime::v1::Image *out) {
  out->set_id(record.id);
  for (const auto &t : record.repo_tags) out->add_repo_tags(t);
  for (const auto &d : record.repo_digests) out->add_repo_digests(d);
  out->set_size(record.size);
  // The image's user as the kubelet reads it (runAsNonRoot checks): a uid when
  // the user part of "user[:group]" is numeric, a name otherwise.
  std::string_view user = record.config.user;
  user = user.substr(0, user.find(':'));
  if (!user.empty()) {
    int64_t uid = 0;
    auto [end, ec] = std::from_chars(user.data(), user.data() + user.size(), uid);
    if (ec == std::errc() && end == user.data() + user.size())
      out->mutable_uid()->set_value(uid);
    else
      out->set_username(std::string(user));
  }
  out->mutable_spec()->set_image(record.id);
  out->set_pinned(false);
}

Result<std::vector<images::ImageRecord>> ImageService::matching(const runtime::v1::ImageFilter &filter) {
  const std::string &ref = filter.image().image();
  if (ref.empty()) return images_.list();
  auto found = images_.status(ref);
  if (!found) {
    if (found.error().code == ENOENT) return std::vector<images::ImageRecord>{};
    return std::unexpected(found.error());
  }
  return std::vector<images::ImageRecord>{std::move(*found)};
}

rpc::Status ImageService::ListImages(rpc::CallContext *, const runtime::v1::ListImagesRequest *request,
                                      runtime::v1::ListImagesResponse *response) {
  auto found = matching(request->filter());
  if (!found) return to_status(found.error());
  for (const auto &r : *found) to_cri_image(r, response->add_images());
  return rpc::Status::OK;
}

rpc::Status ImageService::StreamImages(rpc::CallContext *, const runtime::v1::StreamImagesRequest *request,
                                        rpc::Writer<runtime::v1::StreamImagesResponse> *writer) {
  auto found = matching(request->filter());
  if (!found) return to_status(found.error());
  // Batches keep each message well under gRPC's default 4 MiB limit.
  constexpr size_t kBatch = 500;
  for (size_t i = 0; i < found->size(); i += kBatch) {
    runtime::v1::StreamImagesResponse batch;
    for (size_t j = i; j < std::min(found->size(), i + kBatch); ++j) to_cri_image((*found)[j], batch.add_images());
    if (!writer->write(batch)) return rpc::Status(rpc::StatusCode::CANCELLED, "client went away");
  }
  return rpc::Status::OK;
}

rpc::Status ImageService::ImageStatus(rpc::CallContext *, const runtime::v1::ImageStatusRequest *request,
                                       runtime::v1::ImageStatusResponse *response) {
  const std::string &ref = request->image().image();
  if (ref.empty()) return invalid("ImageStatus: no image given (ImageSpec.image is empty)");
  auto record = images_.status(ref);
  if (!record) {
    // CRI: an image that is not there is an answer without an image, not an error.
    if (record.error().code == ENOENT) return rpc::Status::OK;
    return to_status(record.error());
  }
  to_cri_image(*record, response->mutable_image());
  if (request->verbose()) (*response->mutable_info())["info"] = verbose_info(*record).dump();
  return rpc::Status::OK;
}

rpc::Status pull_image(images::ImageService &images, const runtime::v1::PullImageRequest &request,
                        images::PullObserver *observer, std::string *image_ref) {
  const std::string &ref = request.image().image();
  if (ref.empty()) return invalid("PullImage: no image given (ImageSpec.image is empty)");
  log::info("pulling image {}", ref);
  auto record = images.pull(ref, to_auth(request.auth()), observer);
  if (!record) {
    log::warning("pull image {}: {}", ref, record.error().message);
    return to_status(record.error().context(fmt::format("pull image {}", ref)));
  }
  log::info("pulled image {} as {}", ref, record->id);
  // image_ref is the image id, the same value Image.id carries (CRI v1.36 semantics).
  *image_ref = record->id;
  return rpc::Status::OK;
}

rpc::Status ImageService::PullImage(rpc::CallContext *, const runtime::v1::PullImageRequest *request,
                                     runtime::v1::PullImageResponse *response) {
  std::string image_ref;
  rpc::Status s = pull_image(images_, *request, nullptr, &image_ref);
  if (s.ok()) response->set_image_ref(image_ref);
  return s;
}

rpc::Status ImageService::RemoveImage(rpc::CallContext *, const runtime::v1::RemoveImageRequest *request,
                                       runtime::v1::RemoveImageResponse *) {
  const std::string &ref = request->image().image();
  if (ref.empty()) return invalid("RemoveImage: no image given (ImageSpec.image is empty)");
  auto record = images_.status(ref);
  if (!record) {
    // CRI: removing an image that is already gone succeeds.
    if (record.error().code == ENOENT) return rpc::Status::OK;
    return to_status(record.error());
  }
  auto users = metadata_->containers_using_image(record->id);
  if (!users) return to_status(users.error());
  if (!users->empty())
    return rpc::Status(rpc::StatusCode::FAILED_PRECONDITION,
                        fmt::format("remove image {}: container {} uses it{}", ref, users->front(),
                                    users->size() > 1 ? fmt::format(" (and {} more)", users->size() - 1) : ""));
  // By id, so every tag of the image goes, as CRI specifies for RemoveImage.
  if (auto r = images_.remove(record->id); !r && r.error().code != ENOENT)
    return to_status(r.error().context(fmt::format("remove image {}", ref)));
  log::info("removed image {} ({})", ref, record->id);
  return rpc::Status::OK;
}

rpc::Status ImageService::ImageFsInfo(rpc::CallContext *, const runtime::v1::ImageFsInfoRequest *,
                                       runtime::v1::ImageFsInfoResponse *response) {
  auto usage = images_.fs_info();
  if (!usage) return to_status(usage.error());
  auto *fs = response->add_image_filesystems();
  fs->set_timestamp(usage->timestamp_ns);
  fs->mutable_fs_id()->set_mountpoint(usage->mountpoint);
  fs->mutable_used_bytes()->set_value(usage->bytes);
  fs->mutable_inodes_used()->set_value(usage->inodes);
  return rpc::Status::OK;
}

}  // namespace berth::crid
