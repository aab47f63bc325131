// GetContainerEvents throughput and latency: crid's EventBus and its events
// stream (crid/container_events.h) behind crid's gRPC server (crid/rpc/) on
// a unix socket, a publisher at a target rate in this process, and one
// subscriber in another (tests/bench/events_client, libgrpc++, as the
// kubelet's client would be). Reports events delivered per second,
// publish-to-delivery latency (P50/P99/max, the event's time against the
// moment the client read it), and CPU time and peak RSS of this process (the
// server side: bus, stream, server and publisher) and of the client.
//
//   events_bench [--rate N] [--seconds S] [--containers K] [--queue Q] [--client PATH]
//
// Each event carries a pod status and K container statuses, as crid's own
// do for a pod of K containers (default 3). The status fill here is a copy
// of prepared messages: crid's fill reads records under locks, which the
// crid_stream_rpc.bats exit-to-event test measures end to end instead.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "crid/container_events.h"
#include "crid/rpc/server.h"
#include "libcontainer/fd.h"
#include "tests/bench/wall_clock.h"

using namespace berth;
using namespace berth::crid;
namespace v1 = runtime::v1;

namespace {

class EventsOnly {
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
  rpc::Status GetContainerEvents(rpc::CallContext *ctx, const v1::GetEventsRequest *,
                                 rpc::Writer<v1::ContainerEventResponse> *writer) {
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

// The client's stdout, line by line.
class LineReader {
 public:
  explicit LineReader(int fd) : fd_(fd) {}
  // A whole line, or nullopt when none came within timeout_ms (or at EOF).
  std::optional<std::string> next(int timeout_ms) {
    for (;;) {
      if (auto nl = buf_.find('\n'); nl != std::string::npos) {
        std::string line = buf_.substr(0, nl);
        buf_.erase(0, nl + 1);
        return line;
      }
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, timeout_ms) <= 0) return std::nullopt;
      char chunk[512];
      ssize_t n = ::read(fd_, chunk, sizeof chunk);
      if (n <= 0) return std::nullopt;
      buf_.append(chunk, size_t(n));
    }
  }

 private:
  int fd_;
  std::string buf_;
};

double cpu_seconds() {
  rusage u;
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

}  // namespace

int main(int argc, char **argv) {
  long rate = 10000, seconds = 5, containers = 3, queue = 4096;
  // Beside this program unless told.
  std::string client = std::string(argv[0]).substr(0, std::string(argv[0]).rfind('/') + 1) + "events_client";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    long v = std::atol(argv[i + 1]);
    if (a == "--client") client = argv[i + 1];
    else if (a == "--rate") rate = v;
    else if (a == "--seconds") seconds = v;
    else if (a == "--containers") containers = v;
    else if (a == "--queue") queue = v;
    else {
      std::fprintf(stderr, "usage: events_bench [--rate N] [--seconds S] [--containers K] [--queue Q] [--client PATH]\n");
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
  Fd listener(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", sock.c_str());
  if (::bind(listener.get(), reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0 ||
      ::listen(listener.get(), 16) != 0) {
    std::perror("events_bench: listen");
    rmdir(dir);
    return 1;
  }
  EventBus bus;
  EventsOnly service(bus, int(containers), size_t(queue));
  rpc::Server server;
  server.add_method(rpc::method_path("runtime.v1.RuntimeService", "GetContainerEvents"),
                    rpc::server_streaming(&service, &EventsOnly::GetContainerEvents));
  if (auto r = server.start(listener.get()); !r) {
    std::fprintf(stderr, "events_bench: %s\n", r.error().message.c_str());
    rmdir(dir);
    return 1;
  }

  long total = rate * seconds;
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) return 1;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  std::string total_arg = std::to_string(total);
  char *client_argv[] = {client.data(), sock.data(), total_arg.data(), nullptr};
  pid_t pid;
  if (int e = posix_spawn(&pid, client.c_str(), &fa, nullptr, client_argv, environ); e != 0) {
    std::fprintf(stderr, "events_bench: start %s: %s\n", client.c_str(), std::strerror(e));
    return 1;
  }
  posix_spawn_file_actions_destroy(&fa);
  ::close(out[1]);
  LineReader client_out(out[0]);

  // The stream subscribes when its call starts here: publish until the client says one arrived.
  bool subscribed = false;
  for (int i = 0; i < 500 && !subscribed; ++i) {
    bus.publish({LifecycleEvent::Kind::ContainerStarted, "warmup", "pod", wall_clock_ns()});
    auto line = client_out.next(10);
    subscribed = line && *line == "subscribed";
  }
  if (!subscribed) {
    std::fprintf(stderr, "events_bench: the client never subscribed\n");
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    return 1;
  }

  double cpu0 = cpu_seconds();
  auto start = std::chrono::steady_clock::now();
  static const LifecycleEvent::Kind kinds[] = {LifecycleEvent::Kind::ContainerCreated,
                                               LifecycleEvent::Kind::ContainerStarted,
                                               LifecycleEvent::Kind::ContainerStopped,
                                               LifecycleEvent::Kind::ContainerDeleted};
  for (long i = 0; i < total; ++i) {
    // Paced against the start, so a late wake-up is caught up, not lost.
    auto due = start + std::chrono::nanoseconds(i * 1000000000 / rate);
    std::this_thread::sleep_until(due);
    bus.publish({kinds[i % 4], "ctr-" + std::to_string(i), "pod", wall_clock_ns()});
  }
  auto published = std::chrono::steady_clock::now();
  // The client ends after the last event (or when the stream ends).
  auto result = client_out.next(5000);
  double cpu = cpu_seconds() - cpu0;
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  int wstatus = 0;
  if (!result) ::kill(pid, SIGKILL);
  ::waitpid(pid, &wstatus, 0);
  server.shutdown(std::chrono::seconds(1));
  unlink(sock.c_str());
  rmdir(dir);

  long received = 0, client_rss = 0;
  double p50 = 0, p99 = 0, pmax = 0, client_cpu = 0;
  int status = -1;
  if (!result || std::sscanf(result->c_str(), "received %ld p50_us %lf p99_us %lf max_us %lf cpu_s %lf rss_kib %ld status %d",
                             &received, &p50, &p99, &pmax, &client_cpu, &client_rss, &status) != 7) {
    std::fprintf(stderr, "events_bench: no result from the client\n");
    return 1;
  }
  rusage u;
  getrusage(RUSAGE_SELF, &u);
  double pub_wall = std::chrono::duration<double>(published - start).count();
  std::printf("events_bench: rate %ld/s for %lds, %ld container statuses per event, queue %ld\n", rate, seconds,
              containers, queue);
  std::printf("published      %ld in %.2fs (%.0f/s)\n", total, pub_wall, double(total) / pub_wall);
  std::printf("delivered      %ld (%.0f/s)%s\n", received, double(received) / pub_wall,
              status == int(rpc::StatusCode::RESOURCE_EXHAUSTED) ? "  (subscriber disconnected: fell behind)" : "");
  std::printf("latency us     p50 %.0f  p99 %.0f  max %.0f\n", p50, p99, pmax);
  std::printf("server cpu     %.2fs (%.0f%% of one core over %.2fs; bus, stream, gRPC server, publisher)\n", cpu,
              100 * cpu / wall, wall);
  std::printf("server max rss %ld KiB\n", u.ru_maxrss);
  std::printf("client         cpu %.2fs, max rss %ld KiB (libgrpc++, another process)\n", client_cpu, client_rss);
  return received == total ? 0 : 1;
}
