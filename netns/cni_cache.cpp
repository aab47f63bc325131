#include "netns/cni_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "libcontainer/fd.h"
#include "libcontainer/scope_exit.h"

namespace berth::netns {

namespace {
constexpr const char *kKind = "berthCniCacheV1";
}

std::string cache_path(const std::string &dir, const std::string &network, const std::string &container_id) {
  return fmt::format("{}/{}-{}", dir, network, container_id);
}

nlohmann::json cache_to_json(const CniCacheEntry &entry) {
  nlohmann::json args = nlohmann::json::array();
  for (const auto &[k, v] : entry.runtime.args) args.push_back({k, v});
  return {{"kind", kKind},
          {"networkName", entry.network_name},
          {"containerId", entry.runtime.container_id},
          {"netns", entry.runtime.netns},
          {"ifName", entry.runtime.ifname},
          {"cniArgs", args},
          {"capabilityArgs", entry.runtime.capability_args},
          {"config", entry.config},
          {"result", entry.result}};
}

Result<CniCacheEntry> cache_from_json(const nlohmann::json &json, const std::string &source) {
  try {
    if (!json.is_object() || json.value("kind", "") != kKind)
      return make_error("CNI cache {}: not a {} entry", source, kKind);
    CniCacheEntry entry;
    entry.network_name = json.at("networkName").get<std::string>();
    entry.runtime.container_id = json.at("containerId").get<std::string>();
    entry.runtime.netns = json.at("netns").get<std::string>();
    entry.runtime.ifname = json.at("ifName").get<std::string>();
    for (const auto &kv : json.at("cniArgs"))
      entry.runtime.args.emplace_back(kv.at(0).get<std::string>(), kv.at(1).get<std::string>());
    entry.runtime.capability_args = json.at("capabilityArgs");
    entry.config = json.at("config");
    entry.result = json.at("result");
    return entry;
  } catch (const nlohmann::json::exception &e) {
    return make_error("CNI cache {}: {}", source, e.what());
  }
}

Result<void> write_cache(const std::string &dir, const CniCacheEntry &entry) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return sys_error(ec.value(), "create CNI cache dir {}", dir);
  std::string path = cache_path(dir, entry.network_name, entry.runtime.container_id);
  std::string tmp = path + ".tmp";
  std::string text = cache_to_json(entry).dump();
  Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!fd) return sys_error(errno, "write CNI cache {}", tmp);
  ScopeExit drop_tmp([&] { ::unlink(tmp.c_str()); });
  for (size_t done = 0; done < text.size();) {
    ssize_t n = ::write(fd.get(), text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sys_error(errno, "write CNI cache {}", tmp);
    done += size_t(n);
  }
  if (::fsync(fd.get()) != 0) return sys_error(errno, "write CNI cache {}", tmp);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return sys_error(errno, "write CNI cache {}", path);
  drop_tmp.dismiss();
  return {};
}

Result<std::vector<CniCacheEntry>> read_cache(const std::string &dir, const std::string &container_id) {
  namespace fs = std::filesystem;
  std::vector<CniCacheEntry> out;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) {
    if (ec == std::errc::no_such_file_or_directory) return out;
    return sys_error(ec.value(), "read CNI cache dir {}", dir);
  }
  std::string suffix = "-" + container_id;
  std::vector<std::string> files;
  for (const auto &e : it) {
    std::string name = e.path().filename().string();
    if (name.size() > suffix.size() && name.ends_with(suffix)) files.push_back(e.path().string());
  }
  std::ranges::sort(files);
  for (const auto &file : files) {
    std::ifstream in(file);
    if (!in) {
      if (errno == ENOENT) continue;  // removed by a concurrent DEL
      return sys_error(errno, "read CNI cache {}", file);
    }
    std::stringstream text;
    text << in.rdbuf();
    nlohmann::json json = nlohmann::json::parse(text.str(), nullptr, false);
    if (json.is_discarded()) return make_error("CNI cache {}: not valid JSON", file);
    auto entry = TRY(cache_from_json(json, file));
    if (entry.runtime.container_id != container_id) continue;  // another id that ends the same way
    out.push_back(std::move(entry));
  }
  return out;
}

Result<void> remove_cache(const std::string &dir, const std::string &network, const std::string &container_id) {
  std::string path = cache_path(dir, network, container_id);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return sys_error(errno, "remove CNI cache {}", path);
  return {};
}

}  // namespace berth::netns
