// crid's images::Fetcher: every pull (and every unpack of a layer that is
// missing) runs in a crid-pull process started for it. crid itself then maps
// no HTTP, TLS or archive library, which keeps the daemon small at rest, and
// what registries send is parsed outside the daemon: a crash there fails one
// pull, not crid.
#pragma once

#include <memory>
#include <string>

#include "images/fetcher.h"

namespace berth::crid {

std::unique_ptr<images::Fetcher> make_pull_helper_fetcher(images::FetchOptions options, std::string helper_path);

}  // namespace berth::crid
