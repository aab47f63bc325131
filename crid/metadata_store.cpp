#include "crid/metadata_store.h"

#include <sqlite3.h>


namespace berth::crid {

namespace {

// Each entry brings the schema from version i to i+1; PRAGMA user_version
// records how far a database has come. Only ever append.
constexpr const char *kMigrations[] = {
    // 1: images, keyed by image id; the record is images/'s stable JSON form.
    "CREATE TABLE images ("
    "  id TEXT PRIMARY KEY NOT NULL,"
    "  record TEXT NOT NULL,"
    "  pulled_at INTEGER NOT NULL"
    ");"
    // Pod sandboxes and containers, for the RuntimeService to fill.
    "CREATE TABLE sandboxes ("
    "  id TEXT PRIMARY KEY NOT NULL,"
    "  record TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL"
    ");"
    "CREATE TABLE containers ("
    "  id TEXT PRIMARY KEY NOT NULL,"
    "  sandbox_id TEXT NOT NULL,"
    "  image_id TEXT NOT NULL,"
    "  record TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL"
    ");"
    "CREATE INDEX containers_by_image ON containers(image_id);",
    // 2: the CRI config each pod sandbox and container was made from.
    "ALTER TABLE sandboxes ADD COLUMN config BLOB NOT NULL DEFAULT x'';"
    "ALTER TABLE containers ADD COLUMN config BLOB NOT NULL DEFAULT x'';"
    "CREATE INDEX containers_by_sandbox ON containers(sandbox_id);",
};

struct Statement {
  sqlite3_stmt *stmt = nullptr;
  ~Statement() { sqlite3_finalize(stmt); }
};

std::unexpected<Error> db_error(sqlite3 *db, std::string_view what) {
  return make_error("{}: {}", what, sqlite3_errmsg(db));
}

}  // namespace

Result<std::shared_ptr<MetadataStore>> MetadataStore::open(const std::string &path, Sync sync) {
  sqlite3 *db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string why = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return make_error("open metadata database {}: {}", path, why);
  }
  std::shared_ptr<MetadataStore> store(new MetadataStore(db, path));
  sqlite3_busy_timeout(db, 5000);
  TRY_CTX(store->exec("PRAGMA journal_mode=WAL"), fmt::format("metadata database {}", path));
  TRY_CTX(store->exec(sync == Sync::full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL"),
          fmt::format("metadata database {}", path));
  TRY_CTX(store->exec("PRAGMA foreign_keys=ON"), fmt::format("metadata database {}", path));

  int version = 0;
  {
    Statement st;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st.stmt, nullptr) != SQLITE_OK ||
        sqlite3_step(st.stmt) != SQLITE_ROW)
      return db_error(db, fmt::format("read schema version of {}", path));
    version = sqlite3_column_int(st.stmt, 0);
  }
  constexpr int latest = static_cast<int>(std::size(kMigrations));
  if (version > latest)
    return make_error("metadata database {} has schema version {}, newer than this crid knows ({})", path,
                      version, latest);
  for (int v = version; v < latest; ++v) {
    std::string sql = fmt::format("BEGIN IMMEDIATE; {} PRAGMA user_version={}; COMMIT;", kMigrations[v], v + 1);
    if (auto r = store->exec(sql.c_str()); !r) {
      (void)store->exec("ROLLBACK");
      return std::unexpected(r.error().context(fmt::format("upgrade schema of {} to version {}", path, v + 1)));
    }
  }
  return store;
}

MetadataStore::~MetadataStore() { sqlite3_close(db_); }

Result<void> MetadataStore::exec(const char *sql) {
  char *msg = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &msg) != SQLITE_OK) {
    std::string why = msg ? msg : sqlite3_errmsg(db_);
    sqlite3_free(msg);
    return make_error("{}", why);
  }
  return {};
}

Result<std::vector<images::ImageRecord>> MetadataStore::load_images() {
  std::lock_guard lock(mu_);
  Statement st;
  if (sqlite3_prepare_v2(db_, "SELECT id, record FROM images ORDER BY pulled_at, id", -1, &st.stmt, nullptr) !=
      SQLITE_OK)
    return db_error(db_, "list images in the metadata database");
  std::vector<images::ImageRecord> out;
  int rc;
  while ((rc = sqlite3_step(st.stmt)) == SQLITE_ROW) {
    auto id = reinterpret_cast<const char *>(sqlite3_column_text(st.stmt, 0));
    auto text = reinterpret_cast<const char *>(sqlite3_column_text(st.stmt, 1));
    auto record = images::record_from_json(text ? text : "");
    if (!record) return std::unexpected(record.error().context(fmt::format("image {} in {}", id, path_)));
    out.push_back(std::move(*record));
  }
  if (rc != SQLITE_DONE) return db_error(db_, "list images in the metadata database");
  return out;
}

Result<void> MetadataStore::put_image(const images::ImageRecord &record) {
  std::lock_guard lock(mu_);
  Statement st;
  if (sqlite3_prepare_v2(db_, "INSERT OR REPLACE INTO images (id, record, pulled_at) VALUES (?1, ?2, ?3)", -1,
                         &st.stmt, nullptr) != SQLITE_OK)
    return db_error(db_, fmt::format("record image {}", record.id));
  std::string json = images::record_to_json(record);
  sqlite3_bind_text(st.stmt, 1, record.id.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st.stmt, 2, json.c_str(), static_cast<int>(json.size()), SQLITE_TRANSIENT);
  sqlite3_bind_int64(st.stmt, 3, record.pulled_at_ns);
  if (sqlite3_step(st.stmt) != SQLITE_DONE) return db_error(db_, fmt::format("record image {}", record.id));
  return {};
}

Result<void> MetadataStore::erase_image(const std::string &id) {
  std::lock_guard lock(mu_);
  Statement st;
  if (sqlite3_prepare_v2(db_, "DELETE FROM images WHERE id = ?1", -1, &st.stmt, nullptr) != SQLITE_OK)
    return db_error(db_, fmt::format("forget image {}", id));
  sqlite3_bind_text(st.stmt, 1, id.c_str(), -1, SQLITE_TRANSIENT);
  if (sqlite3_step(st.stmt) != SQLITE_DONE) return db_error(db_, fmt::format("forget image {}", id));
  return {};
}

Result<std::vector<std::string>> MetadataStore::containers_using_image(const std::string &image_id) {
  std::lock_guard lock(mu_);
  Statement st;
  if (sqlite3_prepare_v2(db_, "SELECT id FROM containers WHERE image_id = ?1 ORDER BY created_at", -1, &st.stmt,
                         nullptr) != SQLITE_OK)
    return db_error(db_, fmt::format("find containers of image {}", image_id));
  sqlite3_bind_text(st.stmt, 1, image_id.c_str(), -1, SQLITE_TRANSIENT);
  std::vector<std::string> ids;
  int rc;
  while ((rc = sqlite3_step(st.stmt)) == SQLITE_ROW)
    ids.emplace_back(reinterpret_cast<const char *>(sqlite3_column_text(st.stmt, 0)));
  if (rc != SQLITE_DONE) return db_error(db_, fmt::format("find containers of image {}", image_id));
  return ids;
}

Result<std::vector<MetadataStore::Row>> MetadataStore::load_rows(const char *sql, bool with_sandbox) {
  std::lock_guard lock(mu_);
  Statement st;
  if (sqlite3_prepare_v2(db_, sql, -1, &st.stmt, nullptr) != SQLITE_OK)
    return db_error(db_, "read the metadata database");
  std::vector<Row> rows;
  int rc;
  auto text = [&](int col) {
    auto p = static_cast<const char *>(sqlite3_column_blob(st.stmt, col));
    return std::string(p ? p : "", size_t(sqlite3_column_bytes(st.stmt, col)));
  };
  while ((rc = sqlite3_step(st.stmt)) == SQLITE_ROW) {
    Row row;
    row.id = text(0);
    row.record = text(1);
    row.config = text(2);
    if (with_sandbox) row.sandbox_id = text(3);
    rows.push_back(std::move(row));
  }
  if (rc != SQLITE_DONE) return db_error(db_, "read the metadata database");
  return rows;
}

Result<void> MetadataStore::erase_row(const char *sql, const std::string &id) {
  std::lock_guard lock(mu_);
  Statement st;
  if (sqlite3_prepare_v2(db_, sql, -1, &st.stmt, nullptr) != SQLITE_OK)
    return db_error(db_, fmt::format("forget {}", id));
  sqlite3_bind_text(st.stmt, 1, id.c_str(), -1, SQLITE_TRANSIENT);
  if (sqlite3_step(st.stmt) != SQLITE_DONE) return db_error(db_, fmt::format("forget {}", id));
  return {};
}

Result<std::vector<MetadataStore::Row>> MetadataStore::load_sandboxes() {
  return load_rows("SELECT id, record, config FROM sandboxes ORDER BY created_at, id", false);
}

Result<std::vector<MetadataStore::Row>> MetadataStore::load_containers() {
  return load_rows("SELECT id, record, config, sandbox_id FROM containers ORDER BY created_at, id", true);
}

Result<void> MetadataStore::put_sandbox(const Row &row, int64_t created_at_ns) {
  std::lock_guard lock(mu_);
  Statement st;
  if (sqlite3_prepare_v2(db_,
                         "INSERT OR REPLACE INTO sandboxes (id, record, config, created_at) VALUES (?1, ?2, ?3, ?4)",
                         -1, &st.stmt, nullptr) != SQLITE_OK)
    return db_error(db_, fmt::format("record pod sandbox {}", row.id));
  sqlite3_bind_text(st.stmt, 1, row.id.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st.stmt, 2, row.record.data(), int(row.record.size()), SQLITE_TRANSIENT);
  sqlite3_bind_blob(st.stmt, 3, row.config.data(), int(row.config.size()), SQLITE_TRANSIENT);
  sqlite3_bind_int64(st.stmt, 4, created_at_ns);
  if (sqlite3_step(st.stmt) != SQLITE_DONE) return db_error(db_, fmt::format("record pod sandbox {}", row.id));
  return {};
}

Result<void> MetadataStore::put_container(const Row &row, const std::string &image_id, int64_t created_at_ns) {
  std::lock_guard lock(mu_);
  Statement st;
  if (sqlite3_prepare_v2(db_,
                         "INSERT OR REPLACE INTO containers (id, sandbox_id, image_id, record, config, created_at) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                         -1, &st.stmt, nullptr) != SQLITE_OK)
    return db_error(db_, fmt::format("record container {}", row.id));
  sqlite3_bind_text(st.stmt, 1, row.id.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st.stmt, 2, row.sandbox_id.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st.stmt, 3, image_id.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st.stmt, 4, row.record.data(), int(row.record.size()), SQLITE_TRANSIENT);
  sqlite3_bind_blob(st.stmt, 5, row.config.data(), int(row.config.size()), SQLITE_TRANSIENT);
  sqlite3_bind_int64(st.stmt, 6, created_at_ns);
  if (sqlite3_step(st.stmt) != SQLITE_DONE) return db_error(db_, fmt::format("record container {}", row.id));
  return {};
}

Result<void> MetadataStore::erase_sandbox(const std::string &id) {
  return erase_row("DELETE FROM sandboxes WHERE id = ?1", id);
}

Result<void> MetadataStore::erase_container(const std::string &id) {
  return erase_row("DELETE FROM containers WHERE id = ?1", id);
}

namespace {

class SqliteRecordStore final : public images::RecordStore {
 public:
  explicit SqliteRecordStore(std::shared_ptr<MetadataStore> store) : store_(std::move(store)) {}
  Result<std::vector<images::ImageRecord>> load_all() override { return store_->load_images(); }
  Result<void> put(const images::ImageRecord &record) override { return store_->put_image(record); }
  Result<void> erase(const std::string &id) override { return store_->erase_image(id); }

 private:
  std::shared_ptr<MetadataStore> store_;
};

}  // namespace

std::unique_ptr<images::RecordStore> make_sqlite_record_store(std::shared_ptr<MetadataStore> store) {
  return std::make_unique<SqliteRecordStore>(std::move(store));
}

}  // namespace berth::crid
