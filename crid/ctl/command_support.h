// What every command does the same way: read its flags (or fail with a usage
// hint), pick the output format, print protobuf messages as crictl's JSON or
// YAML, and turn an id prefix into the id it stands for.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "crid/cri_api.h"
#include "crid/ctl/cli_args.h"
#include "crid/ctl/output.h"
#include "crid/ctl/rpc.h"

namespace berth::cridctl {

ParsedArgs parse_or_fail(const std::vector<std::string> &argv, const std::vector<FlagSpec> &specs,
                         std::string_view command, std::optional<size_t> stop_after = std::nullopt);
OutputFormat output_or_fail(const ParsedArgs &a, std::string_view command, OutputFormat fallback,
                            const std::set<OutputFormat> &allowed);
std::map<std::string, std::string> labels_or_fail(const ParsedArgs &a, std::string_view command);
long long integer_or_fail(const ParsedArgs &a, const std::string &flag, std::string_view command,
                          long long fallback);

// A message in protobuf's JSON mapping with default values shown (protojson's
// EmitDefaultValues, as crictl prints).
ojson message_json(const google::protobuf::Message &m);
// Prints JSON (two-space indent) or YAML.
void print_structured(const ojson &value, OutputFormat format);

// A status Info map: values that are JSON objects are shown as JSON, others
// as the string they are (quotes trimmed), like crictl.
ojson info_json(const google::protobuf::Map<std::string, std::string> &info);

// The full id of a pod or container, by listing when `prefix` is not already
// a full id. Ambiguous prefixes exit with an error.
// For commands that go on to the next id after a failed call: prints
// "cridctl: WHAT: rpc error: ..." and sets rc to 1. True when s failed.
bool failed_call(const grpc::Status &s, std::string_view what, int &rc);

std::string resolve_pod_id(runtime::v1::RuntimeService::Stub &stub, const Globals &g, const std::string &prefix);
std::string resolve_container_id(runtime::v1::RuntimeService::Stub &stub, const Globals &g,
                                 const std::string &prefix);

}  // namespace berth::cridctl
