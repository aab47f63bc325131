#include "crid/streaming/spdy_frame.h"

#include <cstring>

namespace berth::crid::streaming {

namespace {

void put32(std::string &out, uint32_t v) {
  out.push_back(char(v >> 24));
  out.push_back(char(v >> 16));
  out.push_back(char(v >> 8));
  out.push_back(char(v));
}

uint32_t get32(std::string_view s, size_t at) {
  auto b = [&](size_t i) { return uint32_t(uint8_t(s[at + i])); };
  return b(0) << 24 | b(1) << 16 | b(2) << 8 | b(3);
}

uint32_t get24(std::string_view s, size_t at) {
  auto b = [&](size_t i) { return uint32_t(uint8_t(s[at + i])); };
  return b(0) << 16 | b(1) << 8 | b(2);
}

// The dictionary is the spec's list of length-prefixed words followed by
// common header values as plain text; built from those two parts so the
// words stay readable.
std::vector<unsigned char> build_dictionary() {
  static const char *const words[] = {
      "options", "head", "post", "put", "delete", "trace", "accept", "accept-charset",
      "accept-encoding", "accept-language", "accept-ranges", "age", "allow", "authorization",
      "cache-control", "connection", "content-base", "content-encoding", "content-language",
      "content-length", "content-location", "content-md5", "content-range", "content-type",
      "date", "etag", "expect", "expires", "from", "host", "if-match", "if-modified-since",
      "if-none-match", "if-range", "if-unmodified-since", "last-modified", "location",
      "max-forwards", "pragma", "proxy-authenticate", "proxy-authorization", "range", "referer",
      "retry-after", "server", "te", "trailer", "transfer-encoding", "upgrade", "user-agent",
      "vary", "via", "warning", "www-authenticate", "method", "get", "status", "200 OK",
      "version", "HTTP/1.1", "url", "public", "set-cookie", "keep-alive", "origin"};
  static const char tail[] =
      "100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505"
      "203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 "
      "Unauthorized403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 "
      "Service UnavailableJan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, "
      "Wed, Thu, Fri, Sat, Sun, GMTchunked,text/html,image/png,image/jpg,image/gif,application/"
      "xml,application/xhtml+xml,text/plain,text/javascript,publicprivatemax-age=gzip,deflate,"
      "sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.";
  std::string d;
  for (const char *w : words) {
    put32(d, uint32_t(std::strlen(w)));
    d += w;
  }
  d += tail;
  return {d.begin(), d.end()};
}

}  // namespace

std::span<const unsigned char> spdy3_dictionary() {
  static const std::vector<unsigned char> dict = build_dictionary();
  return dict;
}

std::string_view header_value(const SpdyHeaders &headers, std::string_view name) {
  for (const auto &[k, v] : headers)
    if (k == name) return v;
  return {};
}

std::string encode_header_block(const SpdyHeaders &headers) {
  std::string out;
  put32(out, uint32_t(headers.size()));
  for (const auto &[k, v] : headers) {
    put32(out, uint32_t(k.size()));
    out += k;
    put32(out, uint32_t(v.size()));
    out += v;
  }
  return out;
}

Result<SpdyHeaders> decode_header_block(std::string_view block) {
  if (block.size() < 4) return make_error("spdy header block: truncated count");
  uint32_t n = get32(block, 0);
  size_t at = 4;
  SpdyHeaders headers;
  for (uint32_t i = 0; i < n; ++i) {
    std::string field[2];
    for (auto &f : field) {
      if (block.size() - at < 4) return make_error("spdy header block: truncated length of pair {}", i);
      uint32_t len = get32(block, at);
      at += 4;
      if (block.size() - at < len) return make_error("spdy header block: pair {} overruns the block", i);
      f.assign(block.substr(at, len));
      at += len;
    }
    headers.emplace_back(std::move(field[0]), std::move(field[1]));
  }
  return headers;
}

HeaderCodec::HeaderCodec() {
  auto dict = spdy3_dictionary();
  if (deflateInit(&deflate_, Z_BEST_COMPRESSION) == Z_OK) {
    deflate_ok_ = deflateSetDictionary(&deflate_, dict.data(), uInt(dict.size())) == Z_OK;
    if (!deflate_ok_) deflateEnd(&deflate_);
  }
  inflate_ok_ = inflateInit(&inflate_) == Z_OK;
}

HeaderCodec::~HeaderCodec() {
  if (deflate_ok_) deflateEnd(&deflate_);
  if (inflate_ok_) inflateEnd(&inflate_);
}

Result<std::string> HeaderCodec::compress(const SpdyHeaders &headers) {
  if (!deflate_ok_) return make_error("spdy header compression: zlib deflate did not initialise");
  std::string in = encode_header_block(headers);
  std::string out;
  deflate_.next_in = reinterpret_cast<Bytef *>(in.data());
  deflate_.avail_in = uInt(in.size());
  unsigned char buf[4096];
  do {
    deflate_.next_out = buf;
    deflate_.avail_out = sizeof buf;
    // SYNC_FLUSH: each block must be decodable on its own arrival while the
    // context carries on to the next block.
    int rc = deflate(&deflate_, Z_SYNC_FLUSH);
    if (rc != Z_OK && rc != Z_BUF_ERROR) return make_error("spdy header compression: zlib error {}", rc);
    out.append(reinterpret_cast<char *>(buf), sizeof buf - deflate_.avail_out);
  } while (deflate_.avail_out == 0);
  return out;
}

Result<SpdyHeaders> HeaderCodec::decompress(std::string_view block) {
  if (!inflate_ok_) return make_error("spdy header decompression: zlib inflate did not initialise");
  std::string out;
  inflate_.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(block.data()));
  inflate_.avail_in = uInt(block.size());
  unsigned char buf[4096];
  while (true) {
    inflate_.next_out = buf;
    inflate_.avail_out = sizeof buf;
    int rc = inflate(&inflate_, Z_SYNC_FLUSH);
    if (rc == Z_NEED_DICT) {
      auto dict = spdy3_dictionary();
      if (inflateSetDictionary(&inflate_, dict.data(), uInt(dict.size())) != Z_OK)
        return make_error("spdy header decompression: the peer's dictionary is not SPDY/3's");
      continue;
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR && rc != Z_STREAM_END)
      return make_error("spdy header decompression: zlib error {}", rc);
    out.append(reinterpret_cast<char *>(buf), sizeof buf - inflate_.avail_out);
    if (inflate_.avail_in == 0 && inflate_.avail_out != 0) break;
    if (rc == Z_BUF_ERROR && inflate_.avail_out != 0) break;
  }
  return decode_header_block(out);
}

Result<std::string> encode_spdy_frame(const SpdyFrame &f, HeaderCodec &codec) {
  std::string payload;
  if (f.type == SpdyType::data) {
    if (f.data.size() > kSpdyMaxFrameLength) return make_error("spdy data frame too long: {} bytes", f.data.size());
    std::string out;
    put32(out, f.stream_id & 0x7fffffff);
    put32(out, uint32_t(f.flags) << 24 | uint32_t(f.data.size()));
    out += f.data;
    return out;
  }
  switch (f.type) {
    case SpdyType::syn_stream:
      put32(payload, f.stream_id & 0x7fffffff);
      put32(payload, f.associated_id & 0x7fffffff);
      payload.push_back(char((f.priority & 7) << 5));
      payload.push_back(0);  // slot
      payload += TRY(codec.compress(f.headers));
      break;
    case SpdyType::syn_reply:
    case SpdyType::headers:
      put32(payload, f.stream_id & 0x7fffffff);
      payload += TRY(codec.compress(f.headers));
      break;
    case SpdyType::rst_stream:
    case SpdyType::goaway:
      put32(payload, f.stream_id & 0x7fffffff);
      put32(payload, f.status);
      break;
    case SpdyType::settings:
      put32(payload, uint32_t(f.settings.size()));
      for (auto [id, value] : f.settings) {
        put32(payload, id & 0xffffff);  // flags byte 0
        put32(payload, value);
      }
      break;
    case SpdyType::ping:
      put32(payload, f.value);
      break;
    case SpdyType::window_update:
      put32(payload, f.stream_id & 0x7fffffff);
      put32(payload, f.value & 0x7fffffff);
      break;
    case SpdyType::data:
      break;
  }
  std::string out;
  out.push_back(char(0x80));
  out.push_back(3);
  out.push_back(char(uint16_t(f.type) >> 8));
  out.push_back(char(uint16_t(f.type)));
  put32(out, uint32_t(f.flags) << 24 | uint32_t(payload.size()));
  out += payload;
  return out;
}

Result<size_t> decode_spdy_frame(std::string_view buf, HeaderCodec &codec, SpdyFrame &f) {
  if (buf.size() < 8) return 0;
  uint32_t len = get24(buf, 5);
  if (buf.size() < 8 + size_t(len)) return 0;
  f = SpdyFrame{};
  f.flags = uint8_t(buf[4]);
  std::string_view p = buf.substr(8, len);
  bool control = uint8_t(buf[0]) & 0x80;
  if (!control) {
    f.type = SpdyType::data;
    f.stream_id = get32(buf, 0) & 0x7fffffff;
    f.data.assign(p);
    return 8 + size_t(len);
  }
  uint16_t version = uint16_t((uint8_t(buf[0]) & 0x7f) << 8 | uint8_t(buf[1]));
  if (version != 3) return make_error("spdy frame: version {} (only 3 is spoken)", version);
  uint16_t type = uint16_t(uint8_t(buf[2]) << 8 | uint8_t(buf[3]));
  f.type = SpdyType(type);
  auto need = [&](size_t n) -> Result<void> {
    if (p.size() < n) return make_error("spdy frame type {}: {} bytes of payload, {} needed", type, p.size(), n);
    return {};
  };
  switch (f.type) {
    case SpdyType::syn_stream:
      TRY(need(10));
      f.stream_id = get32(p, 0) & 0x7fffffff;
      f.associated_id = get32(p, 4) & 0x7fffffff;
      f.priority = uint8_t(p[8]) >> 5;
      f.headers = TRY(codec.decompress(p.substr(10)));
      break;
    case SpdyType::syn_reply:
    case SpdyType::headers:
      TRY(need(4));
      f.stream_id = get32(p, 0) & 0x7fffffff;
      f.headers = TRY(codec.decompress(p.substr(4)));
      break;
    case SpdyType::rst_stream:
    case SpdyType::goaway:
      TRY(need(8));
      f.stream_id = get32(p, 0) & 0x7fffffff;
      f.status = get32(p, 4);
      break;
    case SpdyType::settings: {
      TRY(need(4));
      uint32_t n = get32(p, 0);
      TRY(need(4 + size_t(n) * 8));
      for (uint32_t i = 0; i < n; ++i)
        f.settings.emplace_back(get32(p, 4 + i * 8) & 0xffffff, get32(p, 8 + i * 8));
      break;
    }
    case SpdyType::ping:
      TRY(need(4));
      f.value = get32(p, 0);
      break;
    case SpdyType::window_update:
      TRY(need(8));
      f.stream_id = get32(p, 0) & 0x7fffffff;
      f.value = get32(p, 4) & 0x7fffffff;
      break;
    default:
      break;
  }
  return 8 + size_t(len);
}

}  // namespace berth::crid::streaming
