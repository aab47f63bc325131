// GetContainerEvents throughput and latency: crid's EventBus and its events
// stream (crid/container_events.h) behind a real gRPC server on a unix
// socket, one subscriber reading through a client stub, a publisher at a
// target rate. Reports events delivered per second, publish-to-delivery
// latency (P50/P99/max, the event's time against the moment the client read
// it), the process's CPU time and peak RSS.
//
//   events_bench [--rate N] [--seconds S] [--containers K] [--queue Q]
//
// Each event carries a pod status and K container statuses, as crid's own
// do for a pod of K containers (default 3). The status fill here is a copy
// of prepared messages: crid's fill reads records under locks, which the
// crid_stream_rpc.bats exit-to-event test measures end to end instead.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "crid/container_events.h"

using namespace berth::crid;
namespace v1 = runtime::v1;

namespace {

int64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

class EventsOnly final : public v1::RuntimeService::Service {
 public:
  EventsOnly(EventBus &bus, int containers, size_t queue) : bus_(bus) {
    options_.queue_capacity = queue;
    auto *p = pod_.mutable_pod_sandbox_status();
    p->set_id(std::string(64, 'p'));
    p->mutable_metadata()->set_name("bench-pod");
    p->mutable_metadata()->set_namespace_("default");
    p->mutable_metadata()->set_uid("uid-bench");
    p->set_state(v1::SANDBOX_READY);
    for (int i = 0; i < containers; ++i) {
      auto *c = pod_.add_containers_statuses();
      c->set_id(std::string(63, 'c') + char('0' + i % 10));
      c->mutable_metadata()->set_name("c" + std::to_string(i));
      c->set_state(v1::CONTAINER_RUNNING);
      c->set_image_ref("sha256:" + std::string(64, 'i'));
      c->set_log_path("/var/log/pods/x/c.log");
    }
  }
  grpc::Status GetContainerEvents(grpc::ServerContext *ctx, const v1::GetEventsRequest *,
                                  grpc::ServerWriter<v1::ContainerEventResponse> *writer) override {
    auto fill = [this](const LifecycleEvent &, v1::ContainerEventResponse *out) {
      *out->mutable_pod_sandbox_status() = pod_.pod_sandbox_status();
      *out->mutable_containers_statuses() = pod_.containers_statuses();
    };
    return stream_container_events(bus_, fill, ctx, writer, options_);
  }

 private:
  EventBus &bus_;
  EventStreamOptions options_;
  v1::ContainerEventResponse pod_;
};

double cpu_seconds() {
  rusage u;
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

}  // namespace

int main(int argc, char **argv) {
  long rate = 10000, seconds = 5, containers = 3, queue = 4096;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    long v = std::atol(argv[i + 1]);
    if (a == "--rate") rate = v;
    else if (a == "--seconds") seconds = v;
    else if (a == "--containers") containers = v;
    else if (a == "--queue") queue = v;
    else {
      std::fprintf(stderr, "usage: events_bench [--rate N] [--seconds S] [--containers K] [--queue Q]\n");
      return 2;
    }
  }
  if (rate <= 0 || seconds <= 0 || containers < 0 || queue <= 0) {
    std::fprintf(stderr, "events_bench: every value must be positive\n");
    return 2;
  }

  char dir[] = "/tmp/events-bench-XXXXXX";
  if (!mkdtemp(dir)) {
    std::perror("events_bench: mkdtemp");
    return 1;
  }
  std::string sock = std::string(dir) + "/crid.sock";
  EventBus bus;
  EventsOnly service(bus, int(containers), size_t(queue));
  grpc::ServerBuilder builder;
  builder.AddListeningPort("unix://" + sock, grpc::InsecureServerCredentials());
  builder.RegisterService(&service);
  auto server = builder.BuildAndStart();
  if (!server) {
    std::fprintf(stderr, "events_bench: cannot serve on %s\n", sock.c_str());
    rmdir(dir);
    return 1;
  }

  auto stub = v1::RuntimeService::NewStub(grpc::CreateChannel("unix://" + sock, grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  auto reader = stub->GetContainerEvents(&ctx, v1::GetEventsRequest());
  std::vector<int64_t> latencies;
  latencies.reserve(size_t(rate * seconds));
  std::atomic<bool> subscribed{false};
  std::thread client([&] {
    v1::ContainerEventResponse e;
    while (reader->Read(&e)) {
      if (e.container_id() == "warmup") {
        subscribed = true;
        continue;
      }
      latencies.push_back(now_ns() - e.created_at());
    }
  });
  // The stream subscribes when its call starts on the server: publish until one arrives.
  while (!subscribed) {
    bus.publish({LifecycleEvent::Kind::ContainerStarted, "warmup", "pod", now_ns()});
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }

  double cpu0 = cpu_seconds();
  auto start = std::chrono::steady_clock::now();
  long total = rate * seconds;
  static const LifecycleEvent::Kind kinds[] = {LifecycleEvent::Kind::ContainerCreated,
                                               LifecycleEvent::Kind::ContainerStarted,
                                               LifecycleEvent::Kind::ContainerStopped,
                                               LifecycleEvent::Kind::ContainerDeleted};
  for (long i = 0; i < total; ++i) {
    // Paced against the start, so a late wake-up is caught up, not lost.
    auto due = start + std::chrono::nanoseconds(i * 1000000000 / rate);
    std::this_thread::sleep_until(due);
    bus.publish({kinds[i % 4], "ctr-" + std::to_string(i), "pod", now_ns()});
  }
  auto published = std::chrono::steady_clock::now();
  // Let the stream drain, then end it.
  for (int i = 0; i < 200 && long(latencies.size()) < total; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ctx.TryCancel();
  client.join();
  grpc::Status st = reader->Finish();
  double cpu = cpu_seconds() - cpu0;
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  server->Shutdown();
  unlink(sock.c_str());
  rmdir(dir);

  rusage u;
  getrusage(RUSAGE_SELF, &u);
  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double p) -> double {
    if (latencies.empty()) return 0;
    return double(latencies[std::min(latencies.size() - 1, size_t(p * double(latencies.size())))]) / 1e3;
  };
  double pub_wall = std::chrono::duration<double>(published - start).count();
  std::printf("events_bench: rate %ld/s for %lds, %ld container statuses per event, queue %ld\n", rate, seconds,
              containers, queue);
  std::printf("published      %ld in %.2fs (%.0f/s)\n", total, pub_wall, double(total) / pub_wall);
  std::printf("delivered      %zu (%.0f/s)%s\n", latencies.size(), double(latencies.size()) / pub_wall,
              st.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED ? "  (subscriber disconnected: fell behind)"
                                                                       : "");
  std::printf("latency us     p50 %.0f  p99 %.0f  max %.0f\n", pct(0.50), pct(0.99), pct(1.0));
  std::printf("cpu            %.2fs (%.0f%% of one core over %.2fs; server, client and publisher)\n", cpu,
              100 * cpu / wall, wall);
  std::printf("max rss        %ld KiB\n", u.ru_maxrss);
  return long(latencies.size()) == total ? 0 : 1;
}
