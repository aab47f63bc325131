// The subscriber side of events_bench: a libgrpc++ client (as cridctl and a
// kubelet's are) in a process of its own, so the bench's CPU and RSS are the
// server's. Reads GetContainerEvents until COUNT events (not counting the
// "warmup" ones) or the stream ends, then prints one line:
//   received N p50_us P p99_us Q max_us M cpu_s C rss_kib R status S
//
//   events_client SOCKET COUNT
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "crid/cri_api.h"
#include "crid/proto/api.grpc.pb.h"
#include "tests/bench/wall_clock.h"

namespace v1 = runtime::v1;

int main(int argc, char **argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: events_client SOCKET COUNT\n");
    return 2;
  }
  long count = std::atol(argv[2]);
  auto stub = v1::RuntimeService::NewStub(
      grpc::CreateChannel(std::string("unix://") + argv[1], grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  auto reader = stub->GetContainerEvents(&ctx, v1::GetEventsRequest());
  std::vector<int64_t> latencies;
  latencies.reserve(size_t(count));
  v1::ContainerEventResponse e;
  bool announced = false;
  while (long(latencies.size()) < count && reader->Read(&e)) {
    if (e.container_id() == "warmup") {
      // Tells the bench the stream is subscribed.
      if (!announced) std::printf("subscribed\n"), std::fflush(stdout), announced = true;
      continue;
    }
    latencies.push_back(wall_clock_ns() - e.created_at());
  }
  ctx.TryCancel();
  grpc::Status st = reader->Finish();
  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double p) -> double {
    if (latencies.empty()) return 0;
    return double(latencies[std::min(latencies.size() - 1, size_t(p * double(latencies.size())))]) / 1e3;
  };
  rusage u;
  getrusage(RUSAGE_SELF, &u);
  double cpu = double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
  std::printf("received %zu p50_us %.0f p99_us %.0f max_us %.0f cpu_s %.2f rss_kib %ld status %d\n", latencies.size(),
              pct(0.50), pct(0.99), pct(1.0), cpu, u.ru_maxrss, int(st.error_code()));
  return 0;
}
