#include "crid/streaming/http_message.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace berth::crid::streaming {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(uint8_t(a[i])) != std::tolower(uint8_t(b[i]))) return false;
  return true;
}

std::string_view HttpHead::header(std::string_view name) const {
  for (const auto &[k, v] : headers)
    if (iequals(k, name)) return v;
  return {};
}

std::vector<std::string> HttpHead::header_list(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto &[k, v] : headers) {
    if (!iequals(k, name)) continue;
    std::string_view rest = v;
    while (!rest.empty()) {
      size_t comma = rest.find(',');
      std::string_view item = trim(rest.substr(0, comma));
      if (!item.empty()) out.emplace_back(item);
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return out;
}

std::string_view HttpHead::path() const {
  std::string_view t = target;
  return t.substr(0, t.find('?'));
}

Result<HttpHead> parse_http_head(std::string_view text, bool is_response) {
  HttpHead head;
  size_t eol = text.find("\r\n");
  std::string_view first = text.substr(0, eol);
  auto sp1 = first.find(' ');
  if (sp1 == std::string_view::npos) return make_error("http: malformed first line {:?}", std::string(first));
  auto sp2 = first.find(' ', sp1 + 1);
  if (is_response) {
    if (!first.starts_with("HTTP/1.")) return make_error("http: not an HTTP/1.x status line: {:?}", std::string(first));
    std::string code(first.substr(sp1 + 1, sp2 == std::string_view::npos ? std::string_view::npos : sp2 - sp1 - 1));
    head.status = std::atoi(code.c_str());
    if (sp2 != std::string_view::npos) head.reason = first.substr(sp2 + 1);
  } else {
    if (sp2 == std::string_view::npos || !first.substr(sp2 + 1).starts_with("HTTP/1."))
      return make_error("http: not an HTTP/1.x request line: {:?}", std::string(first));
    head.method = first.substr(0, sp1);
    head.target = first.substr(sp1 + 1, sp2 - sp1 - 1);
  }
  std::string_view rest = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 2);
  while (!rest.empty()) {
    size_t e = rest.find("\r\n");
    std::string_view line = rest.substr(0, e);
    rest = e == std::string_view::npos ? std::string_view{} : rest.substr(e + 2);
    if (line.empty()) break;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return make_error("http: header line without a colon: {:?}", std::string(line));
    head.headers.emplace_back(std::string(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1))));
  }
  return head;
}

Result<HttpHead> read_http_head(int fd, bool is_response, std::string &extra, std::chrono::milliseconds timeout) {
  std::string buf;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    size_t end = buf.find("\r\n\r\n");
    if (end != std::string::npos) {
      extra = buf.substr(end + 4);
      return parse_http_head(std::string_view(buf).substr(0, end + 2), is_response);
    }
    if (buf.size() > 64 * 1024) return make_error("http: message head longer than 64 KiB");
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return make_error("http: no complete message head within {} ms", timeout.count());
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, int(left.count()));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return sys_error(errno, "http: poll");
    if (r == 0) continue;
    char chunk[4096];
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sys_error(errno, "http: read");
    if (n == 0) return make_error("http: connection closed before the end of the message head");
    buf.append(chunk, size_t(n));
  }
}

std::string http_error_response(int status, std::string_view reason, std::string_view body) {
  std::string b(body);
  if (b.empty() || b.back() != '\n') b += '\n';
  return fmt::format("HTTP/1.1 {} {}\r\nContent-Type: text/plain; charset=utf-8\r\n"
                     "Content-Length: {}\r\nConnection: close\r\n\r\n{}",
                     status, reason, b.size(), b);
}

Result<void> write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == ENOTSOCK) n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sys_error(errno, "write");
    data.remove_prefix(size_t(n));
  }
  return {};
}

}  // namespace berth::crid::streaming
