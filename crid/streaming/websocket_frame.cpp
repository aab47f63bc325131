#include "crid/streaming/websocket_frame.h"

#include <nettle/sha1.h>

namespace berth::crid::streaming {

std::string encode_ws_frame(WsOpcode opcode, std::string_view payload, bool fin,
                            std::optional<uint32_t> mask) {
  std::string out;
  out.push_back(char((fin ? 0x80 : 0) | uint8_t(opcode)));
  uint8_t mask_bit = mask ? 0x80 : 0;
  size_t n = payload.size();
  if (n < 126) {
    out.push_back(char(mask_bit | n));
  } else if (n <= 0xffff) {
    out.push_back(char(mask_bit | 126));
    out.push_back(char(n >> 8));
    out.push_back(char(n));
  } else {
    out.push_back(char(mask_bit | 127));
    for (int i = 7; i >= 0; --i) out.push_back(char(uint64_t(n) >> (i * 8)));
  }
  if (!mask) {
    out += payload;
    return out;
  }
  uint8_t key[4] = {uint8_t(*mask >> 24), uint8_t(*mask >> 16), uint8_t(*mask >> 8), uint8_t(*mask)};
  out.append(reinterpret_cast<char *>(key), 4);
  size_t at = out.size();
  out += payload;
  for (size_t i = 0; i < n; ++i) out[at + i] = char(uint8_t(out[at + i]) ^ key[i % 4]);
  return out;
}

Result<size_t> decode_ws_frame(std::string_view buf, WsFrame &f, size_t max_payload) {
  if (buf.size() < 2) return 0;
  uint8_t b0 = uint8_t(buf[0]), b1 = uint8_t(buf[1]);
  if (b0 & 0x70) return make_error("websocket frame: reserved bits set (no extension was negotiated)");
  size_t at = 2;
  uint64_t n = b1 & 0x7f;
  if (n == 126) {
    if (buf.size() < 4) return 0;
    n = uint64_t(uint8_t(buf[2])) << 8 | uint8_t(buf[3]);
    at = 4;
  } else if (n == 127) {
    if (buf.size() < 10) return 0;
    n = 0;
    for (int i = 0; i < 8; ++i) n = n << 8 | uint8_t(buf[2 + i]);
    at = 10;
  }
  if (n > max_payload) return make_error("websocket frame: payload of {} bytes exceeds the {} byte limit", n, max_payload);
  bool masked = b1 & 0x80;
  uint8_t key[4] = {};
  if (masked) {
    if (buf.size() < at + 4) return 0;
    for (int i = 0; i < 4; ++i) key[i] = uint8_t(buf[at + i]);
    at += 4;
  }
  if (buf.size() < at + n) return 0;
  f.fin = b0 & 0x80;
  f.opcode = WsOpcode(b0 & 0x0f);
  f.masked = masked;
  f.mask = uint32_t(key[0]) << 24 | uint32_t(key[1]) << 16 | uint32_t(key[2]) << 8 | key[3];
  f.payload.assign(buf.substr(at, n));
  if (masked)
    for (size_t i = 0; i < n; ++i) f.payload[i] = char(uint8_t(f.payload[i]) ^ key[i % 4]);
  bool control = uint8_t(f.opcode) & 0x8;
  if (control && (!f.fin || n > 125))
    return make_error("websocket frame: control frame fragmented or longer than 125 bytes");
  return at + n;
}

Result<bool> WsMessageAssembler::feed(WsFrame frame, WsOpcode &opcode, std::string &message) {
  if (uint8_t(frame.opcode) & 0x8) {
    opcode = frame.opcode;
    message = std::move(frame.payload);
    return true;
  }
  if (frame.opcode == WsOpcode::continuation) {
    if (!in_message_) return make_error("websocket: continuation frame outside a message");
    buffer_ += frame.payload;
  } else {
    if (in_message_) return make_error("websocket: new message before the previous one ended");
    opcode_ = frame.opcode;
    buffer_ = std::move(frame.payload);
    in_message_ = true;
  }
  if (!frame.fin) return false;
  in_message_ = false;
  opcode = opcode_;
  message = std::move(buffer_);
  buffer_.clear();
  return true;
}

std::string ws_accept_key(std::string_view key) {
  std::string s(key);
  s += "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  sha1_ctx ctx;
  sha1_init(&ctx);
  sha1_update(&ctx, s.size(), reinterpret_cast<const uint8_t *>(s.data()));
  uint8_t digest[SHA1_DIGEST_SIZE];
  sha1_digest(&ctx, sizeof digest, digest);
  return base64_encode(std::string_view(reinterpret_cast<char *>(digest), sizeof digest));
}

static const char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64_encode(std::string_view data) {
  std::string out;
  size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    uint32_t v = uint32_t(uint8_t(data[i])) << 16 | uint32_t(uint8_t(data[i + 1])) << 8 | uint8_t(data[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out.push_back(kB64[(v >> s) & 63]);
  }
  size_t rest = data.size() - i;
  if (rest) {
    uint32_t v = uint32_t(uint8_t(data[i])) << 16 | (rest == 2 ? uint32_t(uint8_t(data[i + 1])) << 8 : 0);
    out.push_back(kB64[(v >> 18) & 63]);
    out.push_back(kB64[(v >> 12) & 63]);
    out.push_back(rest == 2 ? kB64[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

Result<std::string> base64_decode(std::string_view text) {
  std::string out;
  uint32_t v = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=') break;
    const char *p = std::char_traits<char>::find(kB64, 64, c);
    if (!p) return make_error("base64: invalid character code {}", int(uint8_t(c)));
    v = v << 6 | uint32_t(p - kB64);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(char(v >> bits));
    }
  }
  return out;
}

}  // namespace berth::crid::streaming
