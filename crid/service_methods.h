// The gRPC methods crid serves: CRI's RuntimeService and ImageService, and
// crid's PullProgress extension, each path bound to its service's function.
#pragma once

#include "crid/image_service.h"
#include "crid/pull_progress_service.h"
#include "crid/rpc/server.h"
#include "crid/runtime_service.h"

namespace berth::crid {

void add_cri_methods(rpc::Server &server, RuntimeService &runtime, ImageService &images);
void add_pull_progress_methods(rpc::Server &server, PullProgressService &pull_progress);

}  // namespace berth::crid
