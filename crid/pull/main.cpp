// crid-pull: runs one image fetch for crid (images/fetch_request.h has the
// protocol): the request on stdin, layer progress and the outcome on stdout,
// one JSON object a line. crid starts one per pull, so the registry client
// and the layer unpacker run outside the daemon. Not for people.
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <mutex>
#include <string>
#include <string_view>

#include "images/fetch_request.h"
#include "images/local_fetcher.h"

using namespace berth;
using namespace berth::images;

namespace {

std::mutex out_mu;

// A whole line per write(2) call, under a lock: layer threads report at once.
void emit(const std::string &line) {
  std::lock_guard lock(out_mu);
  std::string text = line + "\n";
  const char *p = text.data();
  size_t left = text.size();
  while (left > 0) {
    ssize_t n = ::write(STDOUT_FILENO, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // crid is gone
    p += n;
    left -= static_cast<size_t>(n);
  }
}

class LineObserver : public PullObserver {
 public:
  void layer(const std::string &digest, LayerState state, uint64_t done, uint64_t total) override {
    emit(progress_line(digest, state, done, total));
  }
};

Result<std::string> read_stdin() {
  std::string text;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
    if (n > 0) {
      text.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n == 0) return text;
    if (errno != EINTR) return sys_error(errno, "read the request from stdin");
  }
}

Result<void> run() {
  auto request = TRY(fetch_request_from_json(TRY(read_stdin())));
  auto fetcher = TRY(make_local_fetcher(request.options));
  switch (request.op) {
    case FetchRequest::Op::pull: {
      LineObserver observer;
      auto image = TRY(fetcher->fetch(request.ref, request.auth, request.progress ? &observer : nullptr));
      emit(result_line(&image));
      return {};
    }
    case FetchRequest::Op::unpack_layers:
      TRY(fetcher->unpack_layers(request.image));
      break;
    case FetchRequest::Op::unpack_rootfs:
      TRY(fetcher->unpack_rootfs(request.image, request.dest_dir));
      break;
  }
  emit(result_line(nullptr));
  return {};
}

}  // namespace

int main(int argc, char **argv) {
  // With crid gone nobody reads the answer: end (half-written blobs are in
  // ingest/, which crid clears when it starts).
  if (argc == 3 && std::string_view(argv[1]) == "--parent-pid") {
    pid_t parent = 0;
    std::string_view v = argv[2];
    std::from_chars(v.data(), v.data() + v.size(), parent);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) return 1;
  } else if (argc != 1) {
    std::fprintf(stderr, "usage: %s [--parent-pid PID] < request.json (crid's pull helper)\n", argv[0]);
    return 2;
  }
  // A write to a crid that went away fails with EPIPE instead of killing us quietly.
  ::signal(SIGPIPE, SIG_IGN);
  if (auto r = run(); !r) {
    emit(error_line(r.error()));
    return 1;
  }
  return 0;
}
