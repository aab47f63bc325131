// crid's gRPC server (crid/rpc/server.h) against libgrpc++'s client, the
// client cridctl uses: unary and streaming calls, statuses, unknown methods,
// cancellation, deadlines, size limits, flow control, shutdown.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "crid/cri_api.h"
#include "crid/proto/api.grpc.pb.h"
#include "crid/rpc/server.h"
#include "libcontainer/fd.h"

using namespace berth;
using namespace berth::crid;
namespace v1 = runtime::v1;
using namespace std::chrono_literals;

namespace {

// A service whose calls show each server behaviour.
class TestService {
 public:
  std::atomic<bool> stream_saw_cancel{false};
  std::atomic<bool> slow_saw_cancel{false};
  std::atomic<int> events_to_send{3};

  rpc::Status Version(rpc::CallContext *ctx, const v1::VersionRequest *req, v1::VersionResponse *resp) {
    resp->set_version(req->version() + "-reply");
    resp->set_runtime_name(ctx->peer());
    return rpc::Status::OK;
  }
  // An error with characters grpc-message must percent-encode.
  rpc::Status Status(rpc::CallContext *, const v1::StatusRequest *, v1::StatusResponse *) {
    return rpc::Status(rpc::StatusCode::NOT_FOUND, "pod \"p\" not found: 100% caf\xc3\xa9\nnext line");
  }
  // Waits until the call is cancelled (deadline or client).
  rpc::Status ListPodSandbox(rpc::CallContext *ctx, const v1::ListPodSandboxRequest *, v1::ListPodSandboxResponse *) {
    auto end = std::chrono::steady_clock::now() + 10s;
    while (!ctx->is_cancelled() && std::chrono::steady_clock::now() < end) std::this_thread::sleep_for(5ms);
    slow_saw_cancel = ctx->is_cancelled();
    return rpc::Status::OK;
  }
  // A response of the size the request asks for (in its filter's id).
  rpc::Status ListContainers(rpc::CallContext *, const v1::ListContainersRequest *req, v1::ListContainersResponse *resp) {
    size_t n = std::stoul(req->filter().id());
    resp->add_containers()->set_id(std::string(n, 'c'));
    return rpc::Status::OK;
  }
  rpc::Status GetContainerEvents(rpc::CallContext *ctx, const v1::GetEventsRequest *,
                                 rpc::Writer<v1::ContainerEventResponse> *writer) {
    for (int i = 0; i < events_to_send; ++i) {
      v1::ContainerEventResponse e;
      e.set_container_id("c" + std::to_string(i));
      if (!writer->write(e)) return rpc::Status::OK;
    }
    if (events_to_send >= 0) return rpc::Status::OK;
    // Negative: stream until the client goes.
    while (!ctx->is_cancelled()) std::this_thread::sleep_for(5ms);
    stream_saw_cancel = true;
    return rpc::Status::OK;
  }
};

class CridRpcServer : public ::testing::Test {
 protected:
  void SetUp() override { start({}); }

  void start(rpc::ServerOptions options) {
    char tmpl[] = "/tmp/crid-rpc-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/s.sock";
    listen_ = Fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path_.c_str());
    ASSERT_EQ(::bind(listen_.get(), reinterpret_cast<sockaddr *>(&addr), sizeof addr), 0);
    ASSERT_EQ(::listen(listen_.get(), 16), 0);
    server_ = std::make_unique<rpc::Server>(options);
    const std::string_view svc = "runtime.v1.RuntimeService";
    server_->add_method(rpc::method_path(svc, "Version"), rpc::unary(&service_, &TestService::Version));
    server_->add_method(rpc::method_path(svc, "Status"), rpc::unary(&service_, &TestService::Status));
    server_->add_method(rpc::method_path(svc, "ListPodSandbox"), rpc::unary(&service_, &TestService::ListPodSandbox));
    server_->add_method(rpc::method_path(svc, "ListContainers"), rpc::unary(&service_, &TestService::ListContainers));
    server_->add_method(rpc::method_path(svc, "GetContainerEvents"),
                        rpc::server_streaming(&service_, &TestService::GetContainerEvents));
    auto r = server_->start(listen_.get());
    ASSERT_TRUE(r) << r.error().message;
    grpc::ChannelArguments args;
    args.SetMaxReceiveMessageSize(64 << 20);
    stub_ = v1::RuntimeService::NewStub(
        grpc::CreateCustomChannel("unix://" + path_, grpc::InsecureChannelCredentials(), args));
  }

  void TearDown() override {
    stub_.reset();
    if (server_) server_->shutdown(1s);
    server_.reset();
    ::unlink(path_.c_str());
    ::rmdir(dir_.c_str());
  }

  TestService service_;
  std::string dir_, path_;
  Fd listen_;
  std::unique_ptr<rpc::Server> server_;
  std::unique_ptr<v1::RuntimeService::Stub> stub_;
};

TEST_F(CridRpcServer, UnaryCallRoundTrips) {
  grpc::ClientContext ctx;
  v1::VersionRequest req;
  req.set_version("v9");
  v1::VersionResponse resp;
  grpc::Status s = stub_->Version(&ctx, req, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.version(), "v9-reply");
  // The peer names the client process.
  EXPECT_EQ(resp.runtime_name(), fmt::format("unix:pid={},uid={}", getpid(), getuid()));
}

TEST_F(CridRpcServer, ErrorsKeepTheirCodeAndExactMessage) {
  grpc::ClientContext ctx;
  v1::StatusResponse resp;
  grpc::Status s = stub_->Status(&ctx, v1::StatusRequest(), &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(s.error_message(), "pod \"p\" not found: 100% caf\xc3\xa9\nnext line");
}

TEST_F(CridRpcServer, UnknownMethodIsUnimplemented) {
  grpc::ClientContext ctx;
  v1::ContainerStatusResponse resp;
  grpc::Status s = stub_->ContainerStatus(&ctx, v1::ContainerStatusRequest(), &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_NE(s.error_message().find("/runtime.v1.RuntimeService/ContainerStatus"), std::string::npos)
      << s.error_message();
}

TEST_F(CridRpcServer, StreamDeliversEveryMessageInOrderThenTheStatus) {
  service_.events_to_send = 500;
  grpc::ClientContext ctx;
  auto reader = stub_->GetContainerEvents(&ctx, v1::GetEventsRequest());
  v1::ContainerEventResponse e;
  int n = 0;
  while (reader->Read(&e)) {
    EXPECT_EQ(e.container_id(), "c" + std::to_string(n));
    ++n;
  }
  EXPECT_EQ(n, 500);
  EXPECT_TRUE(reader->Finish().ok());
}

TEST_F(CridRpcServer, ClientCancelReachesTheStreamingHandler) {
  service_.events_to_send = -1;
  grpc::ClientContext ctx;
  auto reader = stub_->GetContainerEvents(&ctx, v1::GetEventsRequest());
  std::this_thread::sleep_for(100ms);
  ctx.TryCancel();
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
  for (int i = 0; i < 200 && !service_.stream_saw_cancel; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_TRUE(service_.stream_saw_cancel);
}

TEST_F(CridRpcServer, DeadlineCancelsTheCall) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + 300ms);
  v1::ListPodSandboxResponse resp;
  auto t0 = std::chrono::steady_clock::now();
  grpc::Status s = stub_->ListPodSandbox(&ctx, v1::ListPodSandboxRequest(), &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
  for (int i = 0; i < 200 && !service_.slow_saw_cancel; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_TRUE(service_.slow_saw_cancel);
}

TEST_F(CridRpcServer, LargeResponsesPassFlowControl) {
  grpc::ClientContext ctx;
  v1::ListContainersRequest req;
  req.mutable_filter()->set_id(std::to_string(12 << 20));
  v1::ListContainersResponse resp;
  grpc::Status s = stub_->ListContainers(&ctx, req, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(resp.containers_size(), 1);
  EXPECT_EQ(resp.containers(0).id().size(), size_t(12 << 20));
}

TEST_F(CridRpcServer, ConcurrentCallsOnOneChannel) {
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 16; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        grpc::ClientContext ctx;
        v1::VersionRequest req;
        req.set_version(fmt::format("{}-{}", t, i));
        v1::VersionResponse resp;
        if (stub_->Version(&ctx, req, &resp).ok() && resp.version() == req.version() + "-reply") ++ok;
      }
    });
  for (auto &t : threads) t.join();
  EXPECT_EQ(ok, 16 * 25);
}

TEST_F(CridRpcServer, ShutdownCancelsCallsAfterTheGraceTime) {
  service_.events_to_send = -1;
  grpc::ClientContext ctx;
  auto reader = stub_->GetContainerEvents(&ctx, v1::GetEventsRequest());
  std::this_thread::sleep_for(100ms);
  auto t0 = std::chrono::steady_clock::now();
  server_->shutdown(200ms);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
  EXPECT_TRUE(service_.stream_saw_cancel);
  v1::ContainerEventResponse e;
  EXPECT_FALSE(reader->Read(&e));
  reader->Finish();
}

class CridRpcServerLimits : public CridRpcServer {
 protected:
  void SetUp() override { start({.max_receive_message = 1024, .max_send_message = 4096, .max_unsent = 4096}); }
};

TEST_F(CridRpcServerLimits, OversizeResponseIsResourceExhausted) {
  grpc::ClientContext ctx;
  v1::ListContainersRequest req;
  req.mutable_filter()->set_id("5000");
  v1::ListContainersResponse resp;
  grpc::Status s = stub_->ListContainers(&ctx, req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(s.error_message().find("more than the 4096 crid sends"), std::string::npos) << s.error_message();
}

TEST_F(CridRpcServerLimits, OversizeRequestIsResourceExhausted) {
  grpc::ClientContext ctx;
  v1::VersionRequest req;
  req.set_version(std::string(2000, 'v'));
  v1::VersionResponse resp;
  grpc::Status s = stub_->Version(&ctx, req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(s.error_message().find("1024 bytes"), std::string::npos) << s.error_message();
}

}  // namespace
