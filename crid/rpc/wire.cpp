#include "crid/rpc/wire.h"

#include <cerrno>

namespace berth::crid::rpc {

namespace {
std::unexpected<Error> fail(int code, std::string message) { return std::unexpected(Error{code, std::move(message)}); }
}  // namespace

std::string frame_message(std::string_view payload) {
  std::string out;
  out.reserve(kFramePrefix + payload.size());
  uint32_t n = uint32_t(payload.size());
  out.push_back('\0');
  out.push_back(char(n >> 24));
  out.push_back(char(n >> 16));
  out.push_back(char(n >> 8));
  out.push_back(char(n));
  out.append(payload);
  return out;
}

Result<std::string> single_message(std::string_view body, size_t max_size) {
  if (body.empty()) return fail(EINVAL, "the request has no message");
  if (body.size() < kFramePrefix) return fail(EINVAL, "the request's message prefix is cut short");
  auto byte = [&](size_t i) { return uint32_t(uint8_t(body[i])); };
  if (byte(0) > 1) return fail(EINVAL, fmt::format("the request's message flag is {}, not 0 or 1", byte(0)));
  if (byte(0) == 1) return fail(EINVAL, "the request's message is compressed, and crid offers no compression");
  size_t n = (byte(1) << 24) | (byte(2) << 16) | (byte(3) << 8) | byte(4);
  if (n > max_size)
    return fail(EMSGSIZE, fmt::format("the request's message is {} bytes, more than the {} allowed", n, max_size));
  if (body.size() - kFramePrefix < n)
    return fail(EINVAL, fmt::format("the request's message is cut short: {} of {} bytes", body.size() - kFramePrefix, n));
  if (body.size() - kFramePrefix > n) return fail(EINVAL, "the request has more than one message");
  return std::string(body.substr(kFramePrefix));
}

std::optional<std::chrono::nanoseconds> parse_timeout(std::string_view value) {
  if (value.size() < 2 || value.size() > 9) return std::nullopt;
  int64_t n = 0;
  for (char c : value.substr(0, value.size() - 1)) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  using namespace std::chrono;
  switch (value.back()) {
    // Hours of 8 digits overflow nanoseconds in int64: clamp to ~292 years' worth.
    case 'H': return n > 2562047 ? nanoseconds::max() : duration_cast<nanoseconds>(hours(n));
    case 'M': return n > 153722867 ? nanoseconds::max() : duration_cast<nanoseconds>(minutes(n));
    case 'S': return duration_cast<nanoseconds>(seconds(n));
    case 'm': return duration_cast<nanoseconds>(milliseconds(n));
    case 'u': return duration_cast<nanoseconds>(microseconds(n));
    case 'n': return nanoseconds(n);
    default: return std::nullopt;
  }
}

std::string percent_encode(std::string_view message) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(message.size());
  for (char c : message) {
    auto b = uint8_t(c);
    if (b >= 0x20 && b <= 0x7e && b != '%') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(hex[b >> 4]);
      out.push_back(hex[b & 15]);
    }
  }
  return out;
}

}  // namespace berth::crid::rpc
