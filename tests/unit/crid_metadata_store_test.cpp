#include "crid/metadata_store.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace berth::crid {
namespace {

class MetadataStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/crid-metadata-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string db() const { return dir_ + "/crid.db"; }
  std::string dir_;
};

images::ImageRecord sample(const std::string &id, int64_t when) {
  images::ImageRecord r;
  r.id = id;
  r.manifest_digest = "sha256:" + std::string(64, 'b');
  r.repo_tags = {"127.0.0.1:5000/busybox:latest"};
  r.repo_digests = {"127.0.0.1:5000/busybox@" + r.manifest_digest};
  r.layers.push_back({"sha256:" + std::string(64, 'c'), "sha256:" + std::string(64, 'd'),
                      "application/vnd.oci.image.layer.v1.tar+gzip", 1234});
  r.size = 2000;
  r.pulled_at_ns = when;
  r.config.user = "1000";
  r.config.cmd = {"sh"};
  return r;
}

TEST_F(MetadataStoreTest, ImagesSurviveReopening) {
  std::string a = "sha256:" + std::string(64, 'a'), e = "sha256:" + std::string(64, 'e');
  {
    auto store = MetadataStore::open(db());
    ASSERT_TRUE(store) << store.error().message;
    ASSERT_TRUE((*store)->put_image(sample(a, 1)));
    ASSERT_TRUE((*store)->put_image(sample(e, 2)));
  }
  auto store = MetadataStore::open(db());
  ASSERT_TRUE(store) << store.error().message;
  auto all = (*store)->load_images();
  ASSERT_TRUE(all) << all.error().message;
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, a);
  EXPECT_EQ((*all)[0].repo_tags, sample(a, 1).repo_tags);
  EXPECT_EQ((*all)[0].layers.size(), 1u);
  EXPECT_EQ((*all)[0].config.cmd, std::vector<std::string>{"sh"});
  EXPECT_EQ((*all)[1].id, e);
}

TEST_F(MetadataStoreTest, PutReplacesAndEraseForgets) {
  std::string a = "sha256:" + std::string(64, 'a');
  auto store = MetadataStore::open(db());
  ASSERT_TRUE(store);
  auto record = sample(a, 1);
  ASSERT_TRUE((*store)->put_image(record));
  record.repo_tags.push_back("127.0.0.1:5000/busybox:v2");
  ASSERT_TRUE((*store)->put_image(record));
  auto all = (*store)->load_images();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].repo_tags.size(), 2u);
  ASSERT_TRUE((*store)->erase_image(a));
  ASSERT_TRUE((*store)->erase_image(a)) << "erasing what is gone is not an error";
  all = (*store)->load_images();
  ASSERT_TRUE(all);
  EXPECT_TRUE(all->empty());
  auto users = (*store)->containers_using_image(a);
  ASSERT_TRUE(users);
  EXPECT_TRUE(users->empty());
}

TEST_F(MetadataStoreTest, RecordStoreAdapterWritesThrough) {
  auto store = MetadataStore::open(db());
  ASSERT_TRUE(store);
  auto records = make_sqlite_record_store(*store);
  std::string a = "sha256:" + std::string(64, 'a');
  ASSERT_TRUE(records->put(sample(a, 5)));
  auto all = records->load_all();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].pulled_at_ns, 5);
  ASSERT_TRUE(records->erase(a));
  EXPECT_TRUE((*store)->load_images()->empty());
}

TEST_F(MetadataStoreTest, UnopenableDatabaseIsAClearError) {
  auto store = MetadataStore::open(dir_ + "/missing-dir/crid.db");
  ASSERT_FALSE(store);
  EXPECT_NE(store.error().message.find("open metadata database " + dir_ + "/missing-dir/crid.db"),
            std::string::npos)
      << store.error().message;
}

}  // namespace
}  // namespace berth::crid
