#include "crid/ctl/rpc.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <optional>

#include <fmt/core.h>

#include "libcontainer/fd.h"

namespace berth::cridctl {

void fail(std::string_view message) {
  fmt::print(stderr, "cridctl: {}\n", message);
  std::fflush(stdout);
  std::exit(1);
}

std::string_view status_code_name(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK: return "OK";
    case grpc::StatusCode::CANCELLED: return "Canceled";
    case grpc::StatusCode::UNKNOWN: return "Unknown";
    case grpc::StatusCode::INVALID_ARGUMENT: return "InvalidArgument";
    case grpc::StatusCode::DEADLINE_EXCEEDED: return "DeadlineExceeded";
    case grpc::StatusCode::NOT_FOUND: return "NotFound";
    case grpc::StatusCode::ALREADY_EXISTS: return "AlreadyExists";
    case grpc::StatusCode::PERMISSION_DENIED: return "PermissionDenied";
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return "ResourceExhausted";
    case grpc::StatusCode::FAILED_PRECONDITION: return "FailedPrecondition";
    case grpc::StatusCode::ABORTED: return "Aborted";
    case grpc::StatusCode::OUT_OF_RANGE: return "OutOfRange";
    case grpc::StatusCode::UNIMPLEMENTED: return "Unimplemented";
    case grpc::StatusCode::INTERNAL: return "Internal";
    case grpc::StatusCode::UNAVAILABLE: return "Unavailable";
    case grpc::StatusCode::DATA_LOSS: return "DataLoss";
    case grpc::StatusCode::UNAUTHENTICATED: return "Unauthenticated";
    default: return "Unknown";
  }
}

std::string rpc_error_text(const grpc::Status &status) {
  return fmt::format("rpc error: code = {} desc = {}", status_code_name(status.error_code()),
                     status.error_message());
}

void check(const grpc::Status &status, std::string_view what) {
  if (!status.ok()) fail(fmt::format("{}: {}", what, rpc_error_text(status)));
}

namespace {

// A unix endpoint whose socket is missing or refuses connections means crid
// is not running: say that, rather than gRPC's generic "failed to connect".
std::optional<std::string> unreachable_reason(const std::string &endpoint) {
  constexpr std::string_view scheme = "unix://";
  if (!endpoint.starts_with(scheme)) return std::nullopt;
  std::string path = endpoint.substr(scheme.size());
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return fmt::format("{}: {}", path, std::strerror(errno));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) return fmt::format("{}: path too long for a unix socket", path);
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return fmt::format("socket for {}: {}", path, std::strerror(errno));
  if (::connect(fd.get(), reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0)
    return fmt::format("{}: {}", path, std::strerror(errno));
  return std::nullopt;
}

std::chrono::system_clock::time_point deadline_in(double seconds) {
  return std::chrono::system_clock::now() + std::chrono::milliseconds(static_cast<long>(seconds * 1000));
}

}  // namespace

std::shared_ptr<grpc::Channel> connect(const std::string &endpoint, double timeout_seconds) {
  std::string target = endpoint;
  if (target.starts_with("/")) target = "unix://" + target;
  if (auto why = unreachable_reason(target))
    fail(fmt::format("connect to {}: {} (is crid running?)", target, *why));
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(16 << 20);
  auto channel = grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
  if (!channel->WaitForConnected(deadline_in(timeout_seconds)))
    fail(fmt::format("connect to {}: no answer within {}s (is crid running?)", target, timeout_seconds));
  return channel;
}

std::unique_ptr<grpc::ClientContext> call_context(const Globals &g) {
  return call_context_with_timeout(g.timeout_seconds);
}

std::unique_ptr<grpc::ClientContext> call_context_with_timeout(double seconds) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  if (seconds > 0) ctx->set_deadline(deadline_in(seconds));
  return ctx;
}

std::unique_ptr<runtime::v1::RuntimeService::Stub> runtime_stub(const Globals &g) {
  return runtime::v1::RuntimeService::NewStub(connect(g.runtime_endpoint, g.timeout_seconds));
}

std::unique_ptr<runtime::v1::ImageService::Stub> image_stub(const Globals &g) {
  return runtime::v1::ImageService::NewStub(connect(g.image_endpoint, g.timeout_seconds));
}

}  // namespace berth::cridctl
