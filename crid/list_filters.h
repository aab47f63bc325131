// ListPodSandbox and ListContainers filters: every field that is set must match.
#pragma once

#include "crid/cri_api.h"
#include "crid/pod_records.h"

namespace berth::crid {

// The id filter matches a full id or a prefix of it (as containerd's truncated ids).
bool matches(const SandboxRecord &record, const runtime::v1::PodSandboxFilter &filter);
bool matches(const ContainerRecord &record, const runtime::v1::ContainerFilter &filter);

}  // namespace berth::crid
