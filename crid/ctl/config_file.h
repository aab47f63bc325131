// Pod and container configs from files, as crictl reads them: the CRI
// messages in protobuf's JSON mapping (snake_case proto names and lowerCamel
// JSON names both accepted), checked for the metadata crictl insists on.
// YAML files are not read (a clear error names the file).
#pragma once

#include <string>
#include <string_view>

#include "crid/cri_api.h"
#include "libcontainer/result.h"

namespace berth::cridctl {

// Text into `message`; errors name `source` (a file name) and the parser's reason.
Result<void> parse_config_json(std::string_view text, std::string_view source, google::protobuf::Message &message);

// Metadata checks (and a fresh uid when the pod config has none, as crictl does).
Result<runtime::v1::PodSandboxConfig> parse_pod_config(std::string_view text, std::string_view source);
Result<runtime::v1::ContainerConfig> parse_container_config(std::string_view text, std::string_view source);

Result<runtime::v1::PodSandboxConfig> load_pod_config(const std::string &path);
Result<runtime::v1::ContainerConfig> load_container_config(const std::string &path);

// A random RFC 4122 version 4 uuid, for pods given without one.
std::string random_uuid();

}  // namespace berth::cridctl
