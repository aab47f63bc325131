#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>

#include "images/digest.h"

using namespace berth::images;

TEST(ImagesDigest, KnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(ImagesDigest, StreamingEqualsOneShot) {
  std::string data(100000, 'x');
  for (size_t i = 0; i < data.size(); i++) data[i] = static_cast<char>(i * 7);
  Sha256 h;
  for (size_t i = 0; i < data.size(); i += 4093) h.update(std::string_view(data).substr(i, 4093));
  EXPECT_EQ(h.finish(), sha256_hex(data));
}

TEST(ImagesDigest, FileDigest) {
  char path[] = "/tmp/berth-digest-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, "abc", 3), 3);
  close(fd);
  auto d = sha256_file(path);
  unlink(path);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(*d, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  auto missing = sha256_file("/nonexistent/x");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("/nonexistent/x"), std::string::npos);
}

TEST(ImagesDigest, Parse) {
  std::string hex(64, 'a');
  auto d = parse_digest("sha256:" + hex);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->algorithm, "sha256");
  EXPECT_EQ(d->hex, hex);
  EXPECT_EQ(d->str(), "sha256:" + hex);
  EXPECT_FALSE(parse_digest(hex));
  EXPECT_FALSE(parse_digest("sha256:" + std::string(63, 'a')));
  EXPECT_FALSE(parse_digest("sha256:" + std::string(64, 'A')));
  EXPECT_FALSE(parse_digest("sha512:" + hex));
}
