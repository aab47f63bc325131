#include "crid/list_filters.h"

namespace berth::crid {

namespace {

bool labels_match(const google::protobuf::Map<std::string, std::string> &labels,
                  const google::protobuf::Map<std::string, std::string> &selector) {
  for (const auto &[key, value] : selector) {
    auto it = labels.find(key);
    if (it == labels.end() || it->second != value) return false;
  }
  return true;
}

}  // namespace

bool matches(const SandboxRecord &r, const runtime::v1::PodSandboxFilter &f) {
  if (!f.id().empty() && !r.id.starts_with(f.id())) return false;
  if (f.has_state() && f.state().state() != to_cri(r.state)) return false;
  return labels_match(r.config.labels(), f.label_selector());
}

bool matches(const ContainerRecord &r, const runtime::v1::ContainerFilter &f) {
  if (!f.id().empty() && !r.id.starts_with(f.id())) return false;
  if (!f.pod_sandbox_id().empty() && !r.sandbox_id.starts_with(f.pod_sandbox_id())) return false;
  if (f.has_state() && f.state().state() != to_cri(r.state)) return false;
  return labels_match(r.config.labels(), f.label_selector());
}

}  // namespace berth::crid
