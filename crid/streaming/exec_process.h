// The process.json crid hands the runtime for an exec with a terminal: the
// container's own process (user, env, cwd, capabilities, LSM labels, rlimits,
// as containerd builds an exec's spec) with the request's command and the
// client's terminal size, so the pty has that size before the command runs.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crid/streaming/resize_queue.h"
#include "libcontainer/result.h"

namespace berth::crid::streaming {

// config_json: the container's config.json. The result is its "process" with
// args = cmd, terminal = true and, when known, consoleSize = size.
Result<std::string> exec_process_json(std::string_view config_json, const std::vector<std::string> &cmd,
                                      std::optional<TermSize> size);

// A process.json written under a root-only directory for one exec; removed
// when this goes.
class ExecProcessFile {
 public:
  static Result<ExecProcessFile> write(const std::string &dir, const std::string &json);
  ExecProcessFile(ExecProcessFile &&other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  ExecProcessFile &operator=(ExecProcessFile &&) = delete;
  ~ExecProcessFile();
  const std::string &path() const { return path_; }

 private:
  explicit ExecProcessFile(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

}  // namespace berth::crid::streaming
