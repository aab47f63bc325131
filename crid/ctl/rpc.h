// Talking to the runtime: endpoints and timeouts from the global flags, the
// connection (with a clear message when crid is not running), deadlines, and
// failures printed as crictl prints them:
//   cridctl: stop container "abc": rpc error: code = NotFound desc = ...
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <grpcpp/grpcpp.h>

#include "crid/cri_api.h"
// The client stubs, after cri_api.h (which reads api.pb.h with the signal macros set aside).
#include "crid/proto/api.grpc.pb.h"

namespace berth::cridctl {

struct Globals {
  std::string runtime_endpoint;
  std::string image_endpoint;
  double timeout_seconds = 10;
};

// Prints "cridctl: <message>" on stderr and exits with status 1.
[[noreturn]] void fail(std::string_view message);

// gRPC's code names as Go's status package prints them ("NotFound").
std::string_view status_code_name(grpc::StatusCode code);
// "rpc error: code = NotFound desc = no such container"
std::string rpc_error_text(const grpc::Status &status);
// Exits through fail() with "<what>: rpc error: ..." unless status is OK.
void check(const grpc::Status &status, std::string_view what);

std::shared_ptr<grpc::Channel> connect(const std::string &endpoint, double timeout_seconds);

// A ClientContext with the global timeout as its deadline (or none for calls
// that take as long as they take: pull, a followed log).
std::unique_ptr<grpc::ClientContext> call_context(const Globals &g);
std::unique_ptr<grpc::ClientContext> call_context_with_timeout(double seconds);

// Stubs on the runtime and image endpoints.
std::unique_ptr<runtime::v1::RuntimeService::Stub> runtime_stub(const Globals &g);
std::unique_ptr<runtime::v1::ImageService::Stub> image_stub(const Globals &g);

}  // namespace berth::cridctl
