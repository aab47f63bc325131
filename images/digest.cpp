#include "images/digest.h"

#include <fcntl.h>
#include <nettle/sha2.h>
#include <unistd.h>

#include "libcontainer/fd.h"

namespace berth::images {

Result<Digest> parse_digest(std::string_view text) {
  auto colon = text.find(':');
  if (colon == std::string_view::npos)
    return std::unexpected(Error{EINVAL, fmt::format("digest \"{}\": no algorithm (want sha256:<hex>)", text)});
  std::string_view algo = text.substr(0, colon), hex = text.substr(colon + 1);
  if (algo != "sha256")
    return std::unexpected(Error{EINVAL, fmt::format("digest \"{}\": unsupported algorithm \"{}\" (only sha256)", text, algo)});
  if (hex.size() != 64)
    return std::unexpected(Error{EINVAL, fmt::format("digest \"{}\": sha256 wants 64 hex digits, got {}", text, hex.size())});
  for (char c : hex)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      return std::unexpected(Error{EINVAL, fmt::format("digest \"{}\": '{}' is not a lowercase hex digit", text, c)});
  return Digest{std::string(algo), std::string(hex)};
}

// nettle, not OpenSSL: crid verifies blobs too, and libcrypto would cost it
// ~1.4 MiB of resident memory for this one function (nettle: ~0.3 MiB).
struct Sha256::Ctx {
  sha256_ctx md;
};

Sha256::Sha256() : ctx_(std::make_unique<Ctx>()) { sha256_init(&ctx_->md); }

Sha256::Sha256(Sha256 &&) noexcept = default;

Sha256::~Sha256() = default;

void Sha256::update(const void *data, size_t len) {
  sha256_update(&ctx_->md, len, static_cast<const uint8_t *>(data));
}

std::string Sha256::finish() {
  uint8_t out[SHA256_DIGEST_SIZE];
  unsigned n = sizeof out;
  sha256_digest(&ctx_->md, n, out);
  static const char digits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(n * 2);
  for (unsigned i = 0; i < n; i++) {
    hex.push_back(digits[out[i] >> 4]);
    hex.push_back(digits[out[i] & 15]);
  }
  return hex;
}

std::string sha256_hex(std::string_view data) {
  Sha256 h;
  h.update(data);
  return h.finish();
}

Result<std::string> sha256_file(const std::string &path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return sys_error(errno, "open {}", path);
  Sha256 h;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return sys_error(errno, "read {}", path);
    }
    if (n == 0) break;
    h.update(buf, static_cast<size_t>(n));
  }
  return "sha256:" + h.finish();
}

}  // namespace berth::images
