#include "images/image_record.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "libcontainer/fd.h"

namespace berth::images {

using nlohmann::json;

namespace {

json config_to_json(const ImageConfig &c) {
  return json{{"os", c.os},           {"architecture", c.architecture}, {"variant", c.variant},
              {"user", c.user},       {"env", c.env},                   {"entrypoint", c.entrypoint},
              {"cmd", c.cmd},         {"working_dir", c.working_dir},   {"exposed_ports", c.exposed_ports},
              {"volumes", c.volumes}, {"labels", c.labels},             {"stop_signal", c.stop_signal},
              {"created", c.created}};
}

json to_json_value(const ImageRecord &r) {
  json layers = json::array();
  for (auto &l : r.layers)
    layers.push_back({{"digest", l.digest}, {"diff_id", l.diff_id}, {"media_type", l.media_type}, {"size", l.size}});
  return json{{"id", r.id},
              {"manifest_digest", r.manifest_digest},
              {"index_digest", r.index_digest},
              {"manifest_media_type", r.manifest_media_type},
              {"repo_tags", r.repo_tags},
              {"repo_digests", r.repo_digests},
              {"layers", layers},
              {"size", r.size},
              {"pulled_at_ns", r.pulled_at_ns},
              {"config", config_to_json(r.config)}};
}

// j[key] as an integer of type T, fallback when absent. Not j.value(key, T{}):
// nlohmann converts a JSON float with a plain cast, undefined behaviour when
// out of range (fuzz_image_record: "size": 1e300). A float is malformed;
// other JSON types throw json::type_error as value() does.
template <typename T>
T integer_or(const json &j, const char *key, T fallback) {
  auto it = j.find(key);
  if (it == j.end()) return fallback;
  if (it->is_number_float()) throw std::invalid_argument(fmt::format("{}: expected an integer, got {}", key, it->dump()));
  return it->get<T>();
}

ImageRecord from_json_value(const json &j) {
  ImageRecord r;
  r.id = j.at("id").get<std::string>();
  r.manifest_digest = j.value("manifest_digest", "");
  r.index_digest = j.value("index_digest", "");
  r.manifest_media_type = j.value("manifest_media_type", "");
  r.repo_tags = j.value("repo_tags", std::vector<std::string>{});
  r.repo_digests = j.value("repo_digests", std::vector<std::string>{});
  for (auto &l : j.value("layers", json::array()))
    r.layers.push_back({l.value("digest", ""), l.value("diff_id", ""), l.value("media_type", ""),
                        integer_or(l, "size", uint64_t{0})});
  r.size = integer_or(j, "size", uint64_t{0});
  r.pulled_at_ns = integer_or(j, "pulled_at_ns", int64_t{0});
  const json &c = j.value("config", json::object());
  r.config.os = c.value("os", "");
  r.config.architecture = c.value("architecture", "");
  r.config.variant = c.value("variant", "");
  r.config.user = c.value("user", "");
  r.config.env = c.value("env", std::vector<std::string>{});
  r.config.entrypoint = c.value("entrypoint", std::vector<std::string>{});
  r.config.cmd = c.value("cmd", std::vector<std::string>{});
  r.config.working_dir = c.value("working_dir", "");
  r.config.exposed_ports = c.value("exposed_ports", std::vector<std::string>{});
  r.config.volumes = c.value("volumes", std::vector<std::string>{});
  r.config.labels = c.value("labels", std::map<std::string, std::string>{});
  r.config.stop_signal = c.value("stop_signal", "");
  r.config.created = c.value("created", "");
  return r;
}

class JsonRecordStore : public RecordStore {
 public:
  explicit JsonRecordStore(std::string path) : path_(std::move(path)) {}

  Result<std::vector<ImageRecord>> load_all() override {
    std::ifstream in(path_);
    if (!in) {
      if (errno == ENOENT) return std::vector<ImageRecord>{};
      return sys_error(errno, "open {}", path_);
    }
    std::stringstream ss;
    ss << in.rdbuf();
    std::vector<ImageRecord> out;
    try {
      json j = json::parse(ss.str());
      for (auto &r : j.at("images")) out.push_back(from_json_value(r));
    } catch (const std::exception &e) {  // json::exception, or integer_or's invalid_argument
      return make_error("image records {}: {}", path_, e.what());
    }
    return out;
  }

  Result<void> put(const ImageRecord &record) override {
    auto all = TRY(load_all());
    std::erase_if(all, [&](const ImageRecord &r) { return r.id == record.id; });
    all.push_back(record);
    return save(all);
  }

  Result<void> erase(const std::string &id) override {
    auto all = TRY(load_all());
    std::erase_if(all, [&](const ImageRecord &r) { return r.id == id; });
    return save(all);
  }

 private:
  Result<void> save(const std::vector<ImageRecord> &all) {
    json arr = json::array();
    for (auto &r : all) arr.push_back(to_json_value(r));
    std::string text = json{{"images", arr}}.dump(1) + "\n";
    std::string tmp = path_ + ".tmp";
    Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (!fd) return sys_error(errno, "create {}", tmp);
    if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()) || ::fsync(fd.get()) < 0) {
      int e = errno;
      ::unlink(tmp.c_str());
      return sys_error(e, "write {}", tmp);
    }
    if (::rename(tmp.c_str(), path_.c_str()) < 0) {
      int e = errno;
      ::unlink(tmp.c_str());
      return sys_error(e, "rename {} to {}", tmp, path_);
    }
    return {};
  }
  std::string path_;
};

}  // namespace

void add_name(std::vector<std::string> &names, const std::string &name) {
  if (!name.empty() && std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
}

int64_t wall_clock_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string record_to_json(const ImageRecord &record) { return to_json_value(record).dump(); }

Result<ImageRecord> record_from_json(std::string_view text) {
  try {
    return from_json_value(json::parse(text));
  } catch (const std::exception &e) {  // json::exception, or integer_or's invalid_argument
    return std::unexpected(Error{EBADMSG, fmt::format("image record: {}", e.what())});
  }
}

std::unique_ptr<RecordStore> make_json_record_store(std::string path) {
  return std::make_unique<JsonRecordStore>(std::move(path));
}

}  // namespace berth::images
