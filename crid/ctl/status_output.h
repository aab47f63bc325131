// inspectp and inspect print statuses the way crictl does: the status as JSON
// with its nanosecond times as RFC 3339 strings, beside the verbose Info map,
// one object for one id and an array for several.
#pragma once

#include <string>
#include <vector>

#include "crid/cri_api.h"
#include "crid/ctl/output.h"

namespace berth::cridctl {

ojson pod_status_json(const runtime::v1::PodSandboxStatus &status);
ojson container_status_json(const runtime::v1::ContainerStatus &status);

// {"info": ..., "status": ...} (keys sorted, as Go's maps marshal).
ojson status_document(const ojson &status, const google::protobuf::Map<std::string, std::string> &info);

// One document as is, several as an array.
ojson status_documents(std::vector<ojson> docs);

// The "ID: ...\nName: ..." text of -o table.
std::string pod_status_text(const runtime::v1::PodSandboxStatusResponse &r, bool verbose);
std::string container_status_text(const runtime::v1::ContainerStatusResponse &r, bool verbose,
                                  std::chrono::system_clock::time_point now);

}  // namespace berth::cridctl
