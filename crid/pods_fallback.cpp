// TEMPORARY: stand-ins for the spec builder (worker B) until it lands in
// main; removed at that merge.
#include <cerrno>

#include "crid/container_spec.h"

namespace berth::crid {

Result<nlohmann::json> build_container_spec(const runtime::v1::ContainerConfig &, const runtime::v1::PodSandboxConfig &,
                                            const SandboxContext &, const images::ImageConfig &, const std::string &,
                                            const std::string &, const SpecOptions &) {
  return make_error("build_container_spec is not built yet");
}
Result<nlohmann::json> build_sandbox_spec(const runtime::v1::PodSandboxConfig &, const SandboxContext &,
                                          const std::string &, const std::string &, const SpecOptions &) {
  return make_error("build_sandbox_spec is not built yet");
}

}  // namespace berth::crid
