// A Fetcher that works in this process: the registry client (libcurl) and
// the layer unpacker (libarchive). crid-pull runs one; crid itself does not
// link this part of images/.
#pragma once

#include <memory>

#include "images/fetcher.h"

namespace berth::images {

Result<std::unique_ptr<Fetcher>> make_local_fetcher(const FetchOptions &options);

}  // namespace berth::images
