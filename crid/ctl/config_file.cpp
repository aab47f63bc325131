#include "crid/ctl/config_file.h"

#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

#include <google/protobuf/util/json_util.h>

#include "libcontainer/fd.h"

namespace berth::cridctl {

namespace {

Result<std::string> read_file(const std::string &path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return sys_error(errno, "open {}", path);
  std::string text;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sys_error(errno, "read {}", path);
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  return text;
}

bool looks_like_json(std::string_view text) {
  auto first = text.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && text[first] == '{';
}

}  // namespace

Result<void> parse_config_json(std::string_view text, std::string_view source, google::protobuf::Message &message) {
  if (!looks_like_json(text))
    return make_error("{}: not a JSON object (cridctl reads configs as JSON; YAML is not supported)", source);
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;  // a misspelt field is a mistake worth naming
  auto status = google::protobuf::util::JsonStringToMessage(std::string(text), &message, options);
  if (!status.ok()) {
    // The parser appends a snippet of the text and a caret on lines of their
    // own; the first line says what is wrong.
    std::string why(status.message());
    why = why.substr(0, why.find('\n'));
    return make_error("{}: {}", source, why);
  }
  return {};
}

Result<runtime::v1::PodSandboxConfig> parse_pod_config(std::string_view text, std::string_view source) {
  runtime::v1::PodSandboxConfig config;
  TRY(parse_config_json(text, source, config));
  if (!config.has_metadata()) return make_error("{}: metadata is not set", source);
  const auto &m = config.metadata();
  if (m.name().empty()) return make_error("{}: metadata.name is not set", source);
  if (m.namespace_().empty()) return make_error("{}: metadata.namespace is not set", source);
  if (m.uid().empty()) config.mutable_metadata()->set_uid(random_uuid());
  return config;
}

Result<runtime::v1::ContainerConfig> parse_container_config(std::string_view text, std::string_view source) {
  runtime::v1::ContainerConfig config;
  TRY(parse_config_json(text, source, config));
  if (!config.has_metadata()) return make_error("{}: metadata is not set", source);
  if (config.metadata().name().empty()) return make_error("{}: metadata.name is not set", source);
  // crictl sends the image as typed too; runtimes show it back in status.
  if (config.image().user_specified_image().empty())
    config.mutable_image()->set_user_specified_image(config.image().image());
  return config;
}

Result<runtime::v1::PodSandboxConfig> load_pod_config(const std::string &path) {
  std::string text = TRY_CTX(read_file(path), "load pod config");
  return TRY_CTX(parse_pod_config(text, path), "load pod config");
}

Result<runtime::v1::ContainerConfig> load_container_config(const std::string &path) {
  std::string text = TRY_CTX(read_file(path), "load container config");
  return TRY_CTX(parse_container_config(text, path), "load container config");
}

std::string random_uuid() {
  unsigned char b[16] = {};
  size_t got = 0;
  while (got < sizeof b) {
    ssize_t n = ::getrandom(b + got, sizeof b - got, 0);
    if (n > 0) got += static_cast<size_t>(n);
    else if (errno != EINTR) break;  // not reached on Linux >= 3.17
  }
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  std::string out;
  static const char *hex = "0123456789abcdef";
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += hex[b[i] >> 4];
    out += hex[b[i] & 15];
  }
  return out;
}

}  // namespace berth::cridctl
