// Test-only streaming server (not installed), standing in for crid until crid
// serves streams itself: the real server and runtime backend, with requests
// read as JSON lines on stdin and each one's URL printed on stdout.
//   stream_server_tool --runtime PATH [--root DIR] [--netns PATH] [--ttl-ms N]
//                      [--tls-cert FILE --tls-key FILE]
//   stdin:  {"kind":"exec","id":"CID","cmd":["sh","-c","exit 3"],"tty":false,"stdin":false}
//           {"kind":"portforward","id":"any","ports":[8080]}
//   stdout: one URL per request line ("error: ..." for a bad line)
#include <csignal>
#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

#include "crid/streaming/runtime_backend.h"
#include "crid/streaming/server.h"

using namespace berth;
using namespace berth::crid::streaming;

int main(int argc, char **argv) {
  std::signal(SIGPIPE, SIG_IGN);
  RuntimeBackendConfig bc;
  ServerConfig sc;
  std::string netns;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--runtime") bc.runtime = argv[i + 1];
    else if (a == "--root") bc.runtime_root = argv[i + 1];
    else if (a == "--netns") netns = argv[i + 1];
    else if (a == "--tls-cert") sc.enable_tls = true, sc.tls.cert = argv[i + 1];
    else if (a == "--tls-key") sc.tls.key = argv[i + 1];
    else if (a == "--ttl-ms") sc.token_ttl = std::chrono::milliseconds(std::atol(argv[i + 1]));
    else {
      std::cerr << "stream_server_tool: unknown option " << a << "\n";
      return 2;
    }
  }
  if (bc.runtime.empty()) {
    std::cerr << "usage: stream_server_tool --runtime PATH [--root DIR] [--netns PATH] [--ttl-ms N]\n";
    return 2;
  }
  bc.netns_path = [netns](const std::string &) -> Result<std::string> {
    if (netns.empty()) return make_error("no --netns given");
    return netns;
  };
  RuntimeBackend backend(bc);
  Server server(sc, backend);
  if (auto r = server.start(); !r) {
    std::cerr << "stream_server_tool: " << r.error().message << "\n";
    return 1;
  }
  std::string line;
  while (std::getline(std::cin, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      std::cout << "error: not a JSON object" << std::endl;
      continue;
    }
    StreamRequest r;
    std::string kind = j.value("kind", "exec");
    r.kind = kind == "attach" ? StreamKind::attach : kind == "portforward" ? StreamKind::port_forward : StreamKind::exec;
    r.id = j.value("id", "");
    r.cmd = j.value("cmd", std::vector<std::string>{});
    r.tty = j.value("tty", false);
    r.stdin = j.value("stdin", false);
    r.stdout = j.value("stdout", true);
    r.stderr = j.value("stderr", true);
    r.ports = j.value("ports", std::vector<int32_t>{});
    std::cout << server.url_for(r) << std::endl;
  }
  server.stop();
  return 0;
}
