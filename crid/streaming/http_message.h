// The HTTP/1.1 message heads the streaming server and its clients exchange
// before a connection is upgraded to SPDY or WebSocket: a request line or a
// status line, then headers. Bodies are not needed (upgrades carry none; error
// replies are written whole).
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "libcontainer/result.h"

namespace berth::crid::streaming {

struct HttpHead {
  std::string method;   // request: "GET"
  std::string target;   // request: "/exec/TOKEN?command=..."
  int status = 0;       // response: 101, 404, ...
  std::string reason;   // response
  std::vector<std::pair<std::string, std::string>> headers;

  // First value of a header, case-insensitive name; empty when absent.
  std::string_view header(std::string_view name) const;
  // Every value of a header, comma-separated lists split and trimmed.
  std::vector<std::string> header_list(std::string_view name) const;
  // The target's path, without the query.
  std::string_view path() const;
};

// Reads up to the end of the head ("\r\n\r\n") from fd. Bytes read past the
// head (the peer may start talking SPDY at once) are left in `extra`.
Result<HttpHead> read_http_head(int fd, bool is_response, std::string &extra,
                                std::chrono::milliseconds timeout = std::chrono::seconds(30));

Result<HttpHead> parse_http_head(std::string_view text, bool is_response);

// A complete plain-text reply with Content-Length and Connection: close.
std::string http_error_response(int status, std::string_view reason, std::string_view body);

// Writes all of data to fd (retrying short writes and EINTR).
Result<void> write_all(int fd, std::string_view data);

bool iequals(std::string_view a, std::string_view b);

}  // namespace berth::crid::streaming
