#include "crid/streaming/exec_process.h"

#include <fcntl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "libcontainer/fd.h"

namespace berth::crid::streaming {

Result<std::string> exec_process_json(std::string_view config_json, const std::vector<std::string> &cmd,
                                      std::optional<TermSize> size) {
  auto config = nlohmann::json::parse(config_json, nullptr, false);
  if (config.is_discarded() || !config.is_object() || !config.contains("process") || !config["process"].is_object())
    return make_error("the container's config.json has no process object");
  nlohmann::json process = config["process"];
  process["args"] = cmd;
  process["terminal"] = true;
  if (size && size->width > 0 && size->height > 0)
    process["consoleSize"] = {{"height", size->height}, {"width", size->width}};
  else
    process.erase("consoleSize");
  return process.dump();
}

Result<ExecProcessFile> ExecProcessFile::write(const std::string &dir, const std::string &json) {
  std::string path = dir + "/exec-process-XXXXXX";
  Fd fd(::mkostemp(path.data(), O_CLOEXEC));
  if (!fd) return sys_error(errno, "create an exec process file in {}", dir);
  ExecProcessFile file(path);
  std::string_view rest = json;
  while (!rest.empty()) {
    ssize_t n = ::write(fd.get(), rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sys_error(errno, "write {}", path);
    rest.remove_prefix(n);
  }
  return file;
}

ExecProcessFile::~ExecProcessFile() {
  if (!path_.empty()) ::unlink(path_.c_str());
}

}  // namespace berth::crid::streaming
