// crid's metadata in SQLite (<root>/crid.db): image records, pod sandboxes and
// containers. WAL journal; a commit is in the WAL file (the page cache) when
// the call returns, so nothing crid has acknowledged to a client is lost if
// crid is killed right after. Sync::full adds an fsync per commit
// (synchronous=FULL), which keeps it across a power loss as well; Sync::normal
// (synchronous=NORMAL) syncs only at checkpoints: a power loss may take back
// the last commits, never corrupt the database.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "images/image_record.h"
#include "libcontainer/result.h"

struct sqlite3;

namespace berth::crid {

class MetadataStore {
 public:
  enum class Sync { normal, full };
  // Opens (creating if needed) the database at path and brings its schema up to date.
  static Result<std::shared_ptr<MetadataStore>> open(const std::string &path, Sync sync = Sync::full);
  ~MetadataStore();
  MetadataStore(const MetadataStore &) = delete;
  MetadataStore &operator=(const MetadataStore &) = delete;

  Result<std::vector<images::ImageRecord>> load_images();
  Result<void> put_image(const images::ImageRecord &record);
  Result<void> erase_image(const std::string &id);
  // Ids of the containers created from the image (which keep it from removal).
  Result<std::vector<std::string>> containers_using_image(const std::string &image_id);

  // Pod sandboxes and containers: the record (crid/pod_records.h's JSON form)
  // and the CRI config they were made from (serialized protobuf bytes).
  struct Row {
    std::string id;
    std::string sandbox_id;  // containers only
    std::string record;
    std::string config;
  };
  Result<std::vector<Row>> load_sandboxes();
  Result<void> put_sandbox(const Row &row, int64_t created_at_ns);
  Result<void> erase_sandbox(const std::string &id);
  Result<std::vector<Row>> load_containers();
  Result<void> put_container(const Row &row, const std::string &image_id, int64_t created_at_ns);
  Result<void> erase_container(const std::string &id);

  const std::string &path() const { return path_; }

 private:
  MetadataStore(sqlite3 *db, std::string path) : db_(db), path_(std::move(path)) {}
  Result<void> exec(const char *sql);
  Result<std::vector<Row>> load_rows(const char *sql, bool with_sandbox);
  Result<void> erase_row(const char *sql, const std::string &id);

  std::mutex mu_;  // one connection, used by many gRPC threads
  sqlite3 *db_;
  std::string path_;
};

// The images/ record interface backed by the store, for images::ServiceOptions::records.
std::unique_ptr<images::RecordStore> make_sqlite_record_store(std::shared_ptr<MetadataStore> store);

}  // namespace berth::crid
