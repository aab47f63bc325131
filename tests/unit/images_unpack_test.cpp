#include <gtest/gtest.h>

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <filesystem>

#include "images/digest.h"
#include "images/layer_unpack.h"

using namespace berth::images;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  std::string path;
  TempDir() {
    char t[] = "/tmp/berth-unpack-test.XXXXXX";
    path = mkdtemp(t);
  }
  ~TempDir() { fs::remove_all(path); }
};

struct Entry {
  std::string name;
  mode_t type = AE_IFREG;
  std::string data;    // file contents, or symlink / hard link target
  mode_t perm = 0644;
  int uid = 0;
};

// Writes a tar (optionally gzip or zstd) holding entries.
void make_tar(const std::string &path, const std::vector<Entry> &entries, const char *filter = nullptr) {
  archive *a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  if (filter && std::string(filter) == "gzip") archive_write_add_filter_gzip(a);
  if (filter && std::string(filter) == "zstd") archive_write_add_filter_zstd(a);
  ASSERT_EQ(archive_write_open_filename(a, path.c_str()), ARCHIVE_OK);
  for (auto &e : entries) {
    archive_entry *ae = archive_entry_new();
    archive_entry_set_pathname(ae, e.name.c_str());
    archive_entry_set_uid(ae, e.uid);
    archive_entry_set_gid(ae, e.uid);
    if (e.type == 0) {  // hard link
      archive_entry_set_filetype(ae, AE_IFREG);
      archive_entry_set_hardlink(ae, e.data.c_str());
      archive_entry_set_perm(ae, e.perm);
      archive_write_header(a, ae);
    } else {
      archive_entry_set_filetype(ae, e.type);
      archive_entry_set_perm(ae, e.type == AE_IFDIR ? 0755 : e.perm);
      if (e.type == AE_IFLNK) archive_entry_set_symlink(ae, e.data.c_str());
      if (e.type == AE_IFREG) archive_entry_set_size(ae, static_cast<la_int64_t>(e.data.size()));
      archive_write_header(a, ae);
      if (e.type == AE_IFREG) archive_write_data(a, e.data.data(), e.data.size());
    }
    archive_entry_free(ae);
  }
  archive_write_close(a);
  archive_write_free(a);
}

std::string slurp(const std::string &p) {
  FILE *f = fopen(p.c_str(), "r");
  if (!f) return "<missing>";
  std::string s;
  char buf[256];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
  fclose(f);
  return s;
}

}  // namespace

TEST(ImagesUnpack, FilesLinksOwnershipInAllCompressions) {
  for (const char *filter : {static_cast<const char *>(nullptr), "gzip", "zstd"}) {
    TempDir t;
    std::string tar = t.path + "/layer.tar", out = t.path + "/out";
    fs::create_directory(out);
    make_tar(tar, {{"/", AE_IFDIR}, {"./etc", AE_IFDIR}, {"./etc/hosts", AE_IFREG, "127.0.0.1 localhost\n", 0600, 1234},
                   {"./etc/link", AE_IFLNK, "hosts"}, {"./etc/hard", 0, "etc/hosts"},
                   {"abs-link", AE_IFLNK, "/etc/passwd"}},
             filter);
    auto r = unpack_layer(tar, out, WhiteoutMode::apply);
    ASSERT_TRUE(r) << (filter ? filter : "none") << ": " << r.error().message;
    EXPECT_EQ(slurp(out + "/etc/hosts"), "127.0.0.1 localhost\n");
    struct stat st, st2;
    ASSERT_EQ(stat((out + "/etc/hosts").c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, 1234u);
    EXPECT_EQ(st.st_mode & 07777, 0600u);
    ASSERT_EQ(stat((out + "/etc/hard").c_str(), &st2), 0);
    EXPECT_EQ(st.st_ino, st2.st_ino);
    EXPECT_EQ(fs::read_symlink(out + "/etc/link"), "hosts");
    // An absolute symlink is kept as is: it points into the container's root later.
    EXPECT_EQ(fs::read_symlink(out + "/abs-link"), "/etc/passwd");
    auto diff = layer_diff_id(tar);
    ASSERT_TRUE(diff) << diff.error().message;
    if (!filter) {
      EXPECT_EQ(*diff, *sha256_file(tar));
    }
  }
}

TEST(ImagesUnpack, RefusesDotDot) {
  TempDir t;
  std::string tar = t.path + "/layer.tar", out = t.path + "/out";
  fs::create_directory(out);
  make_tar(tar, {{"a/../../escaped", AE_IFREG, "x"}});
  auto r = unpack_layer(tar, out, WhiteoutMode::apply);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find(".."), std::string::npos) << r.error().message;
  EXPECT_FALSE(fs::exists(t.path + "/escaped"));
}

TEST(ImagesUnpack, RefusesAbsolutePaths) {
  TempDir t;
  std::string tar = t.path + "/layer.tar", out = t.path + "/out";
  fs::create_directory(out);
  make_tar(tar, {{t.path + "/escaped", AE_IFREG, "x"}});
  auto r = unpack_layer(tar, out, WhiteoutMode::apply);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("absolute"), std::string::npos) << r.error().message;
  EXPECT_FALSE(fs::exists(t.path + "/escaped"));
}

TEST(ImagesUnpack, RefusesWritingThroughSymlinks) {
  TempDir t;
  std::string tar = t.path + "/layer.tar", out = t.path + "/out", outside = t.path + "/outside";
  fs::create_directory(out);
  fs::create_directory(outside);
  make_tar(tar, {{"evil", AE_IFLNK, outside}, {"evil/pwned", AE_IFREG, "x"}});
  auto r = unpack_layer(tar, out, WhiteoutMode::apply);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("symlink"), std::string::npos) << r.error().message;
  EXPECT_FALSE(fs::exists(outside + "/pwned"));
  // A relative symlink that climbs out is refused as a parent too.
  TempDir t2;
  std::string tar2 = t2.path + "/layer.tar", out2 = t2.path + "/out";
  fs::create_directory(out2);
  make_tar(tar2, {{"up", AE_IFLNK, ".."}, {"up/pwned2", AE_IFREG, "x"}});
  EXPECT_FALSE(unpack_layer(tar2, out2, WhiteoutMode::apply));
  EXPECT_FALSE(fs::exists(t2.path + "/pwned2"));
  // Whiteouts do not follow symlinks either.
  TempDir t3;
  std::string tar3 = t3.path + "/layer.tar", out3 = t3.path + "/out", victim = t3.path + "/victim";
  fs::create_directory(out3);
  fs::create_directory(victim);
  std::FILE *f = std::fopen((victim + "/keep").c_str(), "w");
  std::fclose(f);
  make_tar(tar3, {{"link", AE_IFLNK, victim}, {"link/.wh.keep", AE_IFREG, ""}});
  EXPECT_FALSE(unpack_layer(tar3, out3, WhiteoutMode::apply));
  EXPECT_TRUE(fs::exists(victim + "/keep"));
}

TEST(ImagesUnpack, WhiteoutsApplied) {
  TempDir t;
  std::string lower = t.path + "/l1.tar", upper = t.path + "/l2.tar", out = t.path + "/out";
  fs::create_directory(out);
  make_tar(lower, {{"d", AE_IFDIR}, {"d/old", AE_IFREG, "1"}, {"d/sub", AE_IFDIR}, {"d/sub/x", AE_IFREG, "1"},
                   {"gone", AE_IFREG, "1"}, {"keep", AE_IFREG, "1"}});
  make_tar(upper, {{"d/new", AE_IFREG, "2"}, {"d/.wh..wh..opq", AE_IFREG, ""}, {".wh.gone", AE_IFREG, ""}});
  ASSERT_TRUE(unpack_layer(lower, out, WhiteoutMode::apply));
  auto r = unpack_layer(upper, out, WhiteoutMode::apply);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(fs::exists(out + "/d/old"));
  EXPECT_FALSE(fs::exists(out + "/d/sub"));
  EXPECT_TRUE(fs::exists(out + "/d/new"));  // same layer as the opaque marker: kept
  EXPECT_FALSE(fs::exists(out + "/gone"));
  EXPECT_FALSE(fs::exists(out + "/.wh.gone"));
  EXPECT_TRUE(fs::exists(out + "/keep"));
}

TEST(ImagesUnpack, WhiteoutsForOverlay) {
  if (geteuid() != 0) GTEST_SKIP() << "overlay whiteouts need root (mknod, trusted.* xattrs)";
  TempDir t;
  std::string tar = t.path + "/l.tar", out = t.path + "/out";
  fs::create_directory(out);
  make_tar(tar, {{"d", AE_IFDIR}, {"d/.wh..wh..opq", AE_IFREG, ""}, {".wh.gone", AE_IFREG, ""},
                 {"nodir/.wh.x", AE_IFREG, ""}});
  auto r = unpack_layer(tar, out, WhiteoutMode::overlay);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(fs::exists(fs::symlink_status(out + "/nodir/x")));
  struct stat st;
  ASSERT_EQ(lstat((out + "/gone").c_str(), &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(st.st_rdev, makedev(0, 0));
  char v[4] = {};
  ASSERT_EQ(getxattr((out + "/d").c_str(), "trusted.overlay.opaque", v, sizeof v), 1);
  EXPECT_EQ(v[0], 'y');
}

TEST(ImagesUnpack, RefusesHardLinksThroughSymlinksOrOutside) {
  TempDir t;
  std::string out = t.path + "/out", outside = t.path + "/outside";
  fs::create_directory(out);
  fs::create_directory(outside);
  { std::FILE *f = std::fopen((outside + "/secret").c_str(), "w"); std::fclose(f); }
  std::string tar = t.path + "/a.tar";
  make_tar(tar, {{"dir", AE_IFLNK, outside}, {"grab", 0, "dir/secret"}});
  EXPECT_FALSE(unpack_layer(tar, out, WhiteoutMode::apply));
  EXPECT_FALSE(fs::exists(out + "/grab"));
  std::string tar2 = t.path + "/b.tar";
  make_tar(tar2, {{"grab2", 0, "../outside/secret"}});
  EXPECT_FALSE(unpack_layer(tar2, out, WhiteoutMode::apply));
  EXPECT_FALSE(fs::exists(out + "/grab2"));
  EXPECT_EQ(fs::hard_link_count(outside + "/secret"), 1u);
}
