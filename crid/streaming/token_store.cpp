#include "crid/streaming/token_store.h"

#include <sys/random.h>

namespace berth::crid::streaming {

const char *stream_kind_path(StreamKind kind) {
  switch (kind) {
    case StreamKind::exec: return "exec";
    case StreamKind::attach: return "attach";
    case StreamKind::port_forward: return "portforward";
  }
  return "";
}

namespace {

std::string random_token() {
  unsigned char bytes[32];
  size_t got = 0;
  while (got < sizeof bytes) {
    ssize_t n = ::getrandom(bytes + got, sizeof bytes - got, 0);
    if (n > 0) got += size_t(n);
  }
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  // 32 bytes -> 42 base64url characters with 6 bits each (the last one partial).
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char b : bytes) {
    acc = acc << 8 | b;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(alphabet[(acc >> bits) & 63]);
    }
  }
  if (bits) out.push_back(alphabet[(acc << (6 - bits)) & 63]);
  return out;
}

}  // namespace

std::string TokenStore::issue(StreamRequest request, Clock::time_point now) {
  std::lock_guard lock(mu_);
  drop_expired(now);
  std::string token;
  do token = random_token();
  while (entries_.contains(token));
  entries_.emplace(token, Entry{std::move(request), now + ttl_});
  return token;
}

Result<StreamRequest> TokenStore::take(const std::string &token, Clock::time_point now) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(token);
  if (it == entries_.end()) {
    drop_expired(now);
    return make_error("unknown or already used streaming token");
  }
  Entry entry = std::move(it->second);
  entries_.erase(it);
  drop_expired(now);
  if (entry.expires <= now) return make_error("streaming token expired");
  return std::move(entry.request);
}

size_t TokenStore::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

void TokenStore::drop_expired(Clock::time_point now) {
  std::erase_if(entries_, [&](const auto &kv) { return kv.second.expires <= now; });
}

}  // namespace berth::crid::streaming
