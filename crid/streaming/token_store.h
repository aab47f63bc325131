// Single-use, expiring tokens for streaming URLs. A token is 32 random bytes
// (base64url), so URLs cannot be guessed; it is removed when it is used or
// found expired, so a URL works once.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include "crid/streaming/stream_request.h"
#include "libcontainer/result.h"

namespace berth::crid::streaming {

class TokenStore {
 public:
  using Clock = std::chrono::steady_clock;

  explicit TokenStore(std::chrono::milliseconds ttl = std::chrono::minutes(1)) : ttl_(ttl) {}

  std::string issue(StreamRequest request, Clock::time_point now = Clock::now());

  // The request behind a token, consuming the token. Errors say whether it was
  // never issued (or already used) or expired.
  Result<StreamRequest> take(const std::string &token, Clock::time_point now = Clock::now());

  size_t size() const;

 private:
  struct Entry {
    StreamRequest request;
    Clock::time_point expires;
  };
  void drop_expired(Clock::time_point now);

  std::chrono::milliseconds ttl_;
  mutable std::mutex mu_;
  std::map<std::string, Entry> entries_;
};

}  // namespace berth::crid::streaming
