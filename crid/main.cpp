// crid: the Kubernetes CRI daemon. Reads its settings, opens its stores and
// socket, serves gRPC until SIGTERM or SIGINT, then shuts down cleanly.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <vector>


#include <config.h>  // the build's (autoconf); crid/config.h is crid's settings
#include "crid/config.h"
#include "crid/image_service.h"
#include "crid/pull_progress_service.h"
#include "crid/listener.h"
#include "crid/log.h"
#include "crid/pull_helper.h"
#include "crid/metadata_store.h"
#include "crid/pod_manager.h"
#include "crid/pod_store.h"
#include "crid/runtime_service.h"
#include "crid/sd_daemon.h"
#include "crid/service_methods.h"
#include "crid/stream_backend.h"
#include "crid/streaming/server.h"

namespace {

using namespace berth;
using namespace berth::crid;

// Creates dir (and parents) with mode, and checks crid can write there now,
// so a read-only or foreign directory is reported at startup by name.
Result<void> prepare_dir(const std::string &what, const std::string &dir, mode_t mode) {
  for (size_t pos = dir.find('/', 1);; pos = dir.find('/', pos + 1)) {
    std::string part = dir.substr(0, pos);
    if (::mkdir(part.c_str(), mode) != 0 && errno != EEXIST)
      return sys_error(errno, "{} directory {}: create {}", what, dir, part);
    if (pos == std::string::npos) break;
  }
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0) return sys_error(errno, "{} directory {}", what, dir);
  if (!S_ISDIR(st.st_mode)) return make_error("{} directory {}: not a directory", what, dir);
  if (::access(dir.c_str(), W_OK | X_OK) != 0) return sys_error(errno, "{} directory {}: not writable", what, dir);
  return {};
}

images::ServiceOptions image_options(const Config &config, std::shared_ptr<MetadataStore> metadata) {
  images::ServiceOptions o;
  o.root = config.root + "/images";
  o.default_registry = config.default_registry;
  for (const auto &host : config.insecure_registries) o.registries[host].insecure = true;
  for (const auto &[host, r] : config.registries) {
    auto &opts = o.registries[host];
    opts.insecure = opts.insecure || r.insecure;
    opts.mirrors = r.mirrors;
  }
  o.user_agent = "crid/" PACKAGE_VERSION;
  o.records = make_sqlite_record_store(std::move(metadata));
  return o;
}

void notify(const char *state) {
  if (auto r = sd::notify(state); !r) log::warning("tell systemd \"{}\": {}", state, r.error().message);
}

int serve(const Config &config) {
  // The socket first: a second crid must fail before it touches anything.
  // Clients that connect before the server runs wait in the listen backlog.
  auto listener = Listener::open(config.socket_path());
  if (!listener) {
    log::error("{}", listener.error().message);
    return 1;
  }
  if (auto r = prepare_dir("root", config.root, 0700); !r) {
    log::error("{}", r.error().message);
    return 1;
  }
  if (auto r = prepare_dir("state", config.state, 0711); !r) {
    log::error("{}", r.error().message);
    return 1;
  }
  if (::access(config.runtime.c_str(), X_OK) != 0)
    log::warning("OCI runtime {} is not executable ({}); containers will fail to start", config.runtime,
                 std::strerror(errno));

  auto metadata = MetadataStore::open(config.root + "/crid.db", config.sync_writes == "full"
                                                                    ? MetadataStore::Sync::full
                                                                    : MetadataStore::Sync::normal);
  if (!metadata) {
    log::error("{}", metadata.error().message);
    return 1;
  }
  auto options = image_options(config, *metadata);
  images::FetchOptions fetch_options = options;
  auto images = images::ImageService::open(std::move(options),
                                           make_pull_helper_fetcher(std::move(fetch_options), config.pull_helper));
  if (!images) {
    log::error("open the image store under {}/images: {}", config.root, images.error().message);
    return 1;
  }

  auto pod_store = PodStore::load(*metadata);
  if (!pod_store) {
    log::error("load pod sandboxes and containers from {}: {}", (*metadata)->path(), pod_store.error().message);
    return 1;
  }
  EventBus events;
  PodManager pods(config, **pod_store, **images, events);
  // Before serving: clients must never see a state recovery is about to correct.
  if (auto r = pods.recover(); !r) {
    log::error("recover pods and containers: {}", r.error().message);
    return 1;
  }

  // Streaming before gRPC: an Exec URL handed out must lead somewhere.
  streaming::RuntimeBackend stream_backend(stream_backend_config(config, pods));
  streaming::ServerConfig stream_config;
  stream_config.address = config.stream_address;
  stream_config.port = uint16_t(config.stream_port);
  stream_config.stream_idle_timeout = std::chrono::seconds(config.stream_idle_timeout);
  stream_config.enable_tls = config.stream_enable_tls;
  stream_config.tls = {config.stream_tls_cert, config.stream_tls_key, config.stream_tls_ca};
  streaming::Server stream_server(stream_config, stream_backend);
  if (auto r = stream_server.start(); !r) {
    log::error("start the streaming server on {} port {}: {}", config.stream_address, config.stream_port,
               r.error().message);
    return 1;
  }
  log::info("streaming server on {}", stream_server.base_url());

  RuntimeService runtime_service(config, &pods);
  runtime_service.set_stream_server(&stream_server);
  ImageService image_service(**images, *metadata);
  PullProgressService pull_progress(**images);
  rpc::Server server;
  add_cri_methods(server, runtime_service, image_service);
  add_pull_progress_methods(server, pull_progress);
  if (auto r = server.start(listener->fd()); !r) {
    log::error("start the gRPC server: {}", r.error().message);
    return 1;
  }
  log::info("crid {} serving CRI v1 on {}{} (root {}, state {}, runtime {})", PACKAGE_VERSION, config.listen,
            listener->activated() ? " (socket from systemd)" : "", config.root, config.state, config.runtime);
  notify("READY=1");

  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  int sig = 0;
  while (sigwait(&stop_signals, &sig) != 0) {
  }
  log::info("received {}, shutting down", sig == SIGTERM ? "SIGTERM" : "SIGINT");
  notify("STOPPING=1");
  // Calls in flight get a few seconds to finish; pulls still running after
  // that are cancelled (their partial blobs are never trusted by a later pull).
  server.shutdown(std::chrono::seconds(5));
  stream_server.stop();
  pods.stop_watching();
  log::info("crid stopped");
  return 0;
}

}  // namespace

int main(int argc, char **argv) {
  // Blocked before any thread starts, so only sigwait() sees these signals.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  std::vector<std::string> args(argv, argv + argc);
  auto inv = parse_command_line(args);
  if (!inv) {
    fmt::print(stderr, "crid: {}\n", inv.error().message);
    return 2;
  }
  if (inv->action == Action::Help) {
    fmt::print("{}", usage());
    return 0;
  }
  if (inv->action == Action::Version) {
    fmt::print("crid version {}\nCRI API version: v1\n", PACKAGE_VERSION);
    return 0;
  }
  log::set_level(*log::parse_level(inv->config.log_level));
  if (!inv->config.config_path.empty()) log::info("read settings from {}", inv->config.config_path);
  return serve(inv->config);
}
