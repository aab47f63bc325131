#include "crid/monitor/options.h"

#include <unistd.h>

#include <charconv>
#include <climits>
#include <string_view>

namespace berth::crid::monitor {

namespace {

std::string absolute(const std::string &path) {
  if (path.empty() || path[0] == '/') return path;
  char cwd[PATH_MAX];
  if (::getcwd(cwd, sizeof cwd) == nullptr) return path;
  return fmt::format("{}/{}", cwd, path);
}

Result<int> fd_number(std::string_view flag, const std::string &text) {
  int fd = -1;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), fd);
  if (ec != std::errc() || end != text.data() + text.size() || fd < 0)
    return make_error("{}: {:?} is not a file descriptor number", flag, text);
  return fd;
}

}  // namespace

Result<Options> parse_options(int argc, char **argv) {
  Options o;
  for (int i = 1; i < argc; i++) {
    std::string_view flag = argv[i];
    std::string inline_value;
    bool has_inline = false;
    if (auto eq = flag.find('='); flag.starts_with("--") && eq != std::string_view::npos) {
      inline_value = std::string(flag.substr(eq + 1));
      flag = flag.substr(0, eq);
      has_inline = true;
    }
    auto value = [&]() -> Result<std::string> {
      if (has_inline) return inline_value;
      if (i + 1 >= argc) return make_error("{}: needs a value", flag);
      return std::string(argv[++i]);
    };
    if (flag == "--stdin") {
      o.stdin_open = true;
    } else if (flag == "--tty") {
      o.tty = true;
    } else if (flag == "--id") {
      o.id = TRY(value());
    } else if (flag == "--bundle") {
      o.bundle = absolute(TRY(value()));
    } else if (flag == "--runtime") {
      o.runtime = TRY(value());
    } else if (flag == "--runtime-root") {
      o.runtime_root = absolute(TRY(value()));
    } else if (flag == "--runtime-arg") {
      o.runtime_args.push_back(TRY(value()));
    } else if (flag == "--log-path") {
      o.log_path = absolute(TRY(value()));
    } else if (flag == "--exit-file") {
      o.exit_file = absolute(TRY(value()));
    } else if (flag == "--socket-dir") {
      o.socket_dir = absolute(TRY(value()));
    } else if (flag == "--sync-fd") {
      o.sync_fd = TRY(fd_number(flag, TRY(value())));
    } else if (flag == "--create-lock-fd") {
      o.create_lock_fd = TRY(fd_number(flag, TRY(value())));
    } else {
      return make_error("unknown flag {:?}", std::string(flag));
    }
  }
  for (auto [name, v] : {std::pair{"--id", &o.id}, {"--bundle", &o.bundle}, {"--runtime", &o.runtime},
                         {"--runtime-root", &o.runtime_root}, {"--exit-file", &o.exit_file},
                         {"--socket-dir", &o.socket_dir}}) {
    if (v->empty()) return make_error("{} is required", name);
  }
  return o;
}

}  // namespace berth::crid::monitor
