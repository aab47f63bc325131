// SHA-256 for content keys such as the seccomp program cache's (OpenSSL's
// libcrypto underneath).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX

namespace berth {

class Sha256 {
 public:
  Sha256();
  Sha256 &update(std::span<const uint8_t> data);
  Sha256 &update(std::string_view data) {
    return update(std::span(reinterpret_cast<const uint8_t *>(data.data()), data.size()));
  }
  std::array<uint8_t, 32> digest();  // ends the computation
  std::string hex_digest();

 private:
  std::unique_ptr<::evp_md_ctx_st, void (*)(::evp_md_ctx_st *)> ctx_;
};

std::string sha256_hex(std::string_view data);

}  // namespace berth
