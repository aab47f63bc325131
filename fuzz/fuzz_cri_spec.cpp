// libFuzzer target: the CRI -> OCI translation. The input is a
// CreateContainerRequest in protobuf wire form, as the kubelet sends it; its
// container config and pod config go through build_container_spec and
// build_sandbox_spec against a fixed pod, image and scratch rootfs (whose
// /etc/passwd and /etc/group resolve run_as_username), and what they build
// must serialise.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "crid/container_spec.h"

using namespace berth::crid;

namespace {

struct ScratchRootfs {
  std::string path;
  ScratchRootfs() {
    char tmpl[] = "/tmp/berth-fuzz-cri-spec.XXXXXX";
    path = ::mkdtemp(tmpl);
    std::filesystem::create_directories(path + "/etc");
    std::ofstream(path + "/etc/passwd") << "root:x:0:0:root:/root:/bin/sh\n"
                                           "www:x:33:33:www:/var/www:/bin/false\n"
                                           "alice:x:1000:1000::/home/alice:/bin/sh\n";
    std::ofstream(path + "/etc/group") << "root:x:0:\nwww:x:33:\nalice:x:1000:\naudio:x:29:alice,www\n";
  }
  ~ScratchRootfs() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static ScratchRootfs rootfs;
  runtime::v1::CreateContainerRequest req;
  if (!req.ParseFromArray(data, int(size))) return 0;
  SandboxContext sandbox;
  sandbox.id = "fuzzpod";
  sandbox.infra_pid = 1;
  sandbox.hostname = "fuzzpod";
  sandbox.cgroup_parent = "/kubepods/fuzz";
  berth::images::ImageConfig image;
  image.user = "alice";
  image.env = {"PATH=/usr/bin:/bin", "HOME=/root"};
  image.entrypoint = {"/bin/sh"};
  image.cmd = {"-c", "true"};
  image.working_dir = "/";
  image.stop_signal = "SIGTERM";
  SpecOptions options;
  options.restrict_oom_score_adj = true;
  if (auto spec = build_container_spec(req.config(), req.sandbox_config(), sandbox, image, "fuzzctr", rootfs.path,
                                       options))
    (void)spec->dump();
  if (auto spec = build_sandbox_spec(req.sandbox_config(), sandbox, rootfs.path, "/pause", options))
    (void)spec->dump();
  return 0;
}
