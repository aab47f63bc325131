// CRI ImageService: translates requests to images::ImageService calls and
// their results (or errors) back to CRI messages and gRPC status codes.
#pragma once

#include <memory>

#include "crid/cri_api.h"
#include "crid/metadata_store.h"
#include "images/image_service.h"

namespace berth::crid {

class ImageService final : public runtime::v1::ImageService::Service {
 public:
  ImageService(images::ImageService &images, std::shared_ptr<MetadataStore> metadata)
      : images_(images), metadata_(std::move(metadata)) {}

  grpc::Status ListImages(grpc::ServerContext *, const runtime::v1::ListImagesRequest *,
                          runtime::v1::ListImagesResponse *) override;
  grpc::Status StreamImages(grpc::ServerContext *, const runtime::v1::StreamImagesRequest *,
                            grpc::ServerWriter<runtime::v1::StreamImagesResponse> *) override;
  grpc::Status ImageStatus(grpc::ServerContext *, const runtime::v1::ImageStatusRequest *,
                           runtime::v1::ImageStatusResponse *) override;
  grpc::Status PullImage(grpc::ServerContext *, const runtime::v1::PullImageRequest *,
                         runtime::v1::PullImageResponse *) override;
  grpc::Status RemoveImage(grpc::ServerContext *, const runtime::v1::RemoveImageRequest *,
                           runtime::v1::RemoveImageResponse *) override;
  grpc::Status ImageFsInfo(grpc::ServerContext *, const runtime::v1::ImageFsInfoRequest *,
                           runtime::v1::ImageFsInfoResponse *) override;

 private:
  // The images matching a filter (all when the filter names no image).
  Result<std::vector<images::ImageRecord>> matching(const runtime::v1::ImageFilter &filter);

  images::ImageService &images_;
  std::shared_ptr<MetadataStore> metadata_;
};

// PullImage's work, shared with crid's PullProgress extension: pulls the
// request's image (observer may be null) and sets *image_ref to its id.
grpc::Status pull_image(images::ImageService &images, const runtime::v1::PullImageRequest &request,
                        images::PullObserver *observer, std::string *image_ref);

// An image record as CRI's Image message.
void to_cri_image(const images::ImageRecord &record, runtime::v1::Image *out);

}  // namespace berth::crid
