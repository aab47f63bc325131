// Test client of crid's streaming server (not installed): speaks the
// remote-command protocol over SPDY/3.1 or WebSocket, or port-forward.
//   stream_tool exec [--ws] [--protocol P]... [--stdin] [--tty] [--size COLSxROWS]
//                    [--cacert FILE] [--insecure] [--cert FILE --key FILE] URL
//       stdio is the command's; exits with the command's exit code (255: failure)
//   stream_tool portforward URL REMOTE_PORT
//       prints "listening PORT" once ready; forwards until its stdin closes
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

#include "crid/streaming/client.h"

using namespace berth::crid::streaming;

static int usage() {
  std::fprintf(stderr, "usage: stream_tool exec [--ws] [--protocol P]... [--stdin] [--tty] [--size COLSxROWS]\n"
                       "                        [--cacert FILE] [--insecure] [--cert FILE --key FILE] URL\n"
                       "       stream_tool portforward URL REMOTE_PORT\n");
  return 2;
}

int main(int argc, char **argv) {
  std::signal(SIGPIPE, SIG_IGN);
  if (argc < 3) return usage();
  std::string cmd = argv[1];
  if (cmd == "exec") {
    RemoteCommandOptions o;
    // The server must keep to the SPDY window this client grants.
    o.strict_flow_control = true;
    ResizeQueue sizes;
    std::string url;
    for (int i = 2; i < argc; ++i) {
      std::string a = argv[i];
      if (a == "--ws") o.protocol = ClientProtocol::websocket;
      else if (a == "--protocol" && i + 1 < argc) o.protocols.push_back(argv[++i]);
      else if (a == "--stdin") o.stdin_fd = 0;
      else if (a == "--tty") o.tty = true;
      else if (a == "--lenient-flow") o.strict_flow_control = false;
      else if (a == "--cacert" && i + 1 < argc) o.tls.ca_file = argv[++i];
      else if (a == "--insecure") o.tls.insecure_skip_verify = true;
      else if (a == "--cert" && i + 1 < argc) o.tls.cert_file = argv[++i];
      else if (a == "--key" && i + 1 < argc) o.tls.key_file = argv[++i];
      else if (a == "--size" && i + 1 < argc) {
        unsigned cols = 0, rows = 0;
        if (std::sscanf(argv[++i], "%ux%u", &cols, &rows) != 2) return usage();
        sizes.push({uint16_t(cols), uint16_t(rows)});
        o.resize = &sizes;
      } else if (!a.starts_with("--")) url = a;
      else return usage();
    }
    if (url.empty()) return usage();
    auto code = run_remote_command(url, o);
    if (!code) {
      std::fprintf(stderr, "stream_tool: %s\n", code.error().message.c_str());
      return 255;
    }
    return *code;
  }
  if (cmd == "portforward" && argc == 4) {
    std::atomic<bool> stop{false};
    std::thread watcher([&] {
      char c;
      while (::read(0, &c, 1) > 0) {
      }
      stop = true;
    });
    watcher.detach();
    auto r = port_forward(argv[2], 0, uint16_t(std::atoi(argv[3])), [](uint16_t p) {
      std::printf("listening %u\n", p);
      std::fflush(stdout);
    }, &stop);
    if (!r) {
      std::fprintf(stderr, "stream_tool: %s\n", r.error().message.c_str());
      return 1;
    }
    return 0;
  }
  return usage();
}
