// logs: reads the container's CRI log file (ContainerStatus.log_path)
// directly, as crictl and the kubelet do, and with -f follows it (through
// rotations: a new file at the path is picked up) until the container exits.
#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>

#include <fmt/core.h>

#include "crid/ctl/command_support.h"
#include "crid/ctl/commands.h"
#include "crid/ctl/log_line.h"
#include "crid/ctl/log_since.h"
#include "libcontainer/fd.h"

namespace berth::cridctl {

namespace v1 = runtime::v1;

namespace {

// Feeds file bytes to a LogWriter line by line, holding a line that has not
// got its newline yet (the monitor may be halfway through writing it).
class LineFeeder {
 public:
  LineFeeder(LogWriter &writer, std::string path) : writer_(writer), path_(std::move(path)) {}

  void feed(std::string_view bytes) {
    pending_.append(bytes);
    size_t start = 0;
    for (size_t nl; (nl = pending_.find('\n', start)) != std::string::npos; start = nl + 1)
      line(std::string_view(pending_).substr(start, nl - start));
    pending_.erase(0, start);
  }
  // At the end of a file that will not grow: its last line, newline or not.
  void finish() {
    if (!pending_.empty()) line(pending_);
    pending_.clear();
  }

 private:
  void line(std::string_view l) {
    if (l.empty()) return;
    auto record = parse_cri_log_line(l);
    if (!record) {
      fmt::print(stderr, "cridctl: {}: skipping a line: {}\n", path_, record.error().message);
      return;
    }
    writer_.write(*record);
  }

  LogWriter &writer_;
  std::string path_;
  std::string pending_;
};

Result<std::string> read_to_end(int fd) {
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sys_error(errno, "read");
    if (n == 0) return out;
    out.append(buf, static_cast<size_t>(n));
  }
}

Result<Fd> open_log(const std::string &path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return sys_error(errno, "open log file {}", path);
  return fd;
}

bool same_file(int fd, const std::string &path) {
  struct stat a, b;
  if (::fstat(fd, &a) != 0 || ::stat(path.c_str(), &b) != 0) return true;  // nothing new to switch to
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

bool container_running(v1::RuntimeService::Stub &stub, const Globals &g, const std::string &id) {
  auto ctx = call_context(g);
  v1::ContainerStatusRequest req;
  req.set_container_id(id);
  v1::ContainerStatusResponse resp;
  grpc::Status s = stub.ContainerStatus(ctx.get(), req, &resp);
  return s.ok() && resp.status().state() == v1::CONTAINER_RUNNING;
}

void follow(v1::RuntimeService::Stub &stub, const Globals &g, const std::string &id, const std::string &path,
            Fd fd, LineFeeder &feeder) {
  Fd inotify(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK));
  if (!inotify) fail(fmt::format("logs: inotify_init1: {}", std::strerror(errno)));
  auto watch = [&]() {
    if (::inotify_add_watch(inotify.get(), path.c_str(), IN_MODIFY | IN_MOVE_SELF | IN_DELETE_SELF) < 0)
      fail(fmt::format("logs: watch {}: {}", path, std::strerror(errno)));
  };
  watch();
  for (;;) {
    auto more = read_to_end(fd.get());
    if (!more) fail(fmt::format("logs: {}: {}", path, more.error().message));
    feeder.feed(*more);
    std::fflush(stdout);
    std::fflush(stderr);

    pollfd p{inotify.get(), POLLIN, 0};
    // The kubelet checks the container's state every few seconds while a log
    // is quiet; a second keeps `logs -f` prompt to return after the exit.
    int rc = ::poll(&p, 1, 1000);
    if (rc < 0 && errno != EINTR) fail(fmt::format("logs: poll: {}", std::strerror(errno)));
    if (rc > 0) {
      char events[4096];
      while (::read(inotify.get(), events, sizeof events) > 0) {
      }
    }
    if (!same_file(fd.get(), path)) {
      // Rotated: drain the old file, then carry on with the new one.
      auto rest = read_to_end(fd.get());
      if (rest) feeder.feed(*rest);
      feeder.finish();
      auto next = open_log(path);
      if (!next) fail(fmt::format("logs: {}", next.error().message));
      fd = std::move(*next);
      watch();
      continue;
    }
    if (rc == 0 && !container_running(stub, g, id)) {
      auto rest = read_to_end(fd.get());
      if (rest) feeder.feed(*rest);
      feeder.finish();
      return;
    }
  }
}

}  // namespace

int cmd_logs(const Globals &g, const Argv &argv) {
  ParsedArgs a = parse_or_fail(argv,
                               {{"follow", 'f'},
                                {"tail", 0, true},
                                {"timestamps", 't'},
                                {"since", 0, true},
                                {"stream", 's', true},
                                {"reopen", 'r'}},
                               "logs");
  if (a.positional.size() != 1) fail("logs: expected exactly one CONTAINER-ID");
  long long tail = integer_or_fail(a, "tail", "logs", -1);
  LogOptions options;
  options.timestamps = a.has("timestamps");
  if (auto since = a.value("since")) {
    auto ns = parse_since(*since, std::chrono::system_clock::now());
    if (!ns) fail(fmt::format("logs: {}", ns.error().message));
    options.since_ns = *ns;
  }
  if (auto stream = a.value("stream")) {
    if (*stream == "stdout") options.only_stream = LogStream::Stdout;
    else if (*stream == "stderr") options.only_stream = LogStream::Stderr;
    else fail(fmt::format("logs: invalid stream \"{}\", must be \"stdout\" or \"stderr\"", *stream));
  }

  auto stub = runtime_stub(g);
  std::string id = resolve_container_id(*stub, g, a.positional[0]);
  if (a.has("reopen")) {
    auto ctx = call_context(g);
    v1::ReopenContainerLogRequest req;
    req.set_container_id(id);
    v1::ReopenContainerLogResponse resp;
    check(stub->ReopenContainerLog(ctx.get(), req, &resp), fmt::format("reopen the log of container \"{}\"", id));
  }
  auto ctx = call_context(g);
  v1::ContainerStatusRequest req;
  req.set_container_id(id);
  v1::ContainerStatusResponse status;
  check(stub->ContainerStatus(ctx.get(), req, &status), fmt::format("get the status of container \"{}\"", id));
  const std::string &path = status.status().log_path();
  if (path.empty()) fail(fmt::format("logs: container \"{}\" has no log path (its pod or its config set none)", id));

  // Flushing the other stream first keeps the records' order when stdout and
  // stderr go to the same place.
  LogWriter writer(options, [](LogStream s, std::string_view text) {
    FILE *out = s == LogStream::Stdout ? stdout : stderr;
    std::fflush(out == stdout ? stderr : stdout);
    std::fwrite(text.data(), 1, text.size(), out);
  });
  LineFeeder feeder(writer, path);
  auto fd = open_log(path);
  if (!fd) fail(fmt::format("logs: {}", fd.error().message));
  auto text = read_to_end(fd->get());
  if (!text) fail(fmt::format("logs: {}: {}", path, text.error().message));
  size_t offset = tail >= 0 ? tail_offset(*text, static_cast<size_t>(tail)) : 0;
  feeder.feed(std::string_view(*text).substr(offset));
  if (a.has("follow") && status.status().state() == v1::CONTAINER_RUNNING) {
    follow(*stub, g, id, path, std::move(*fd), feeder);
  } else {
    feeder.finish();
  }
  return 0;
}

}  // namespace berth::cridctl
