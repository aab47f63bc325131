// features: the runtime-spec features document for this binary on this host.
#include "libcontainer/features.h"
#include "runtime/commands.h"

namespace berth::cmd {

int features(const Context &, const cli::Parsed &) {
  fmt::print("{}\n", features_json().dump(4));
  return 0;
}

}  // namespace berth::cmd
