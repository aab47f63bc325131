// A tiny HTTP/1.1 server on 127.0.0.1 for registry-client tests: serves canned
// responses by path and records what was asked (with the Authorization header).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

struct FakeResponse {
  int status = 200;
  std::string body;
  std::map<std::string, std::string> headers;
};

struct FakeRequest {
  std::string path;
  std::string authorization;
};

class FakeRegistry {
 public:
  // handler: path + Authorization -> response; unset paths get 404.
  using Handler = std::function<FakeResponse(const FakeRequest &)>;

  explicit FakeRegistry(Handler h) : handler_(std::move(h)) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr *>(&a), sizeof a);
    listen(fd_, 16);
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr *>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeRegistry() {
    stop_ = true;
    thread_.join();
    close(fd_);
  }
  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }
  std::vector<FakeRequest> requests() {
    std::lock_guard l(mu_);
    return requests_;
  }

 private:
  void serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      int c = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) continue;
      handle(c);
      close(c);
    }
  }
  void handle(int c) {
    std::string in;
    char buf[4096];
    while (in.find("\r\n\r\n") == std::string::npos) {
      ssize_t n = read(c, buf, sizeof buf);
      if (n <= 0) return;
      in.append(buf, static_cast<size_t>(n));
      if (static_cast<unsigned char>(in[0]) == 0x16) return;  // a TLS hello: we speak plain HTTP only
    }
    FakeRequest req;
    auto sp1 = in.find(' '), sp2 = in.find(' ', sp1 + 1);
    req.path = in.substr(sp1 + 1, sp2 - sp1 - 1);
    for (size_t pos = in.find("\r\n"); pos != std::string::npos && pos + 2 < in.size();) {
      size_t end = in.find("\r\n", pos + 2);
      std::string line = in.substr(pos + 2, end - pos - 2);
      if (line.rfind("Authorization: ", 0) == 0) req.authorization = line.substr(15);
      pos = end;
    }
    {
      std::lock_guard l(mu_);
      requests_.push_back(req);
    }
    FakeResponse r = handler_(req);
    std::string out = "HTTP/1.1 " + std::to_string(r.status) + " X\r\nConnection: close\r\nContent-Length: " +
                      std::to_string(r.body.size()) + "\r\n";
    for (auto &[k, v] : r.headers) out += k + ": " + v + "\r\n";
    out += "\r\n" + r.body;
    size_t off = 0;
    while (off < out.size()) {
      ssize_t n = write(c, out.data() + off, out.size() - off);
      if (n <= 0) return;
      off += static_cast<size_t>(n);
    }
  }

  Handler handler_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::vector<FakeRequest> requests_;
};
