// libFuzzer target: layer tar unpacking. The input is a layer blob (tar, or
// gzip/zstd of one); it is unpacked, in both whiteout modes, into a fresh
// scratch dir. Whatever the tar says, nothing may appear outside that dir:
// its parent must hold nothing else afterwards, and a fixed canary directory
// (the target of absolute symlinks in the seeds) must stay empty.
#include <fcntl.h>
#include <ftw.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

#include "images/layer_unpack.h"

namespace {

namespace fs = std::filesystem;

// Seeds hold symlinks to this path ("etc -> /tmp/berth-fuzz-canary").
constexpr const char *kCanary = "/tmp/berth-fuzz-canary";

struct Scratch {
  std::string parent;  // /tmp/berth-fuzz-unpack-<pid>
  std::string root;    // parent/root: the unpack target
  std::string layer;   // the input, as a file (unpack_layer reads a path)
};

// A layer may set the immutable or append-only flag (pax SCHILY.fflags):
// clear them so the tree can be removed.
int clear_flags(const char *path, const struct stat *st, int, FTW *) {
  if (!S_ISREG(st->st_mode) && !S_ISDIR(st->st_mode)) return 0;
  int fd = ::open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return 0;
  int flags = 0;
  if (::ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0 && (flags & (FS_IMMUTABLE_FL | FS_APPEND_FL))) {
    flags &= ~(FS_IMMUTABLE_FL | FS_APPEND_FL);
    ::ioctl(fd, FS_IOC_SETFLAGS, &flags);
  }
  ::close(fd);
  return 0;
}

void remove_tree(const std::string &path) {
  ::nftw(path.c_str(), clear_flags, 16, FTW_PHYS);
  std::error_code ec;
  fs::remove_all(path, ec);
}

// Never destroyed: the atexit cleanup needs it after static destructors ran.
Scratch &scratch() {
  static Scratch &s = *[] {
    auto *s = new Scratch;
    std::string pid = std::to_string(::getpid());
    s->parent = "/tmp/berth-fuzz-unpack-" + pid;
    s->root = s->parent + "/root";
    s->layer = "/tmp/berth-fuzz-layer-" + pid;
    std::atexit([] {
      remove_tree(scratch().parent);
      ::unlink(scratch().layer.c_str());
      ::rmdir(kCanary);  // fails, as it should, when something got in
    });
    return s;
  }();
  return s;
}

bool empty_except(const std::string &dir, std::string_view allowed) {
  std::error_code ec;
  for (auto &e : fs::directory_iterator(dir, ec)) {
    if (e.path().filename() != allowed) {
      std::fprintf(stderr, "fuzz_layer_unpack: %s appeared outside the unpack dir\n", e.path().c_str());
      return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  Scratch &s = scratch();
  ::mkdir(kCanary, 0755);
  FILE *f = std::fopen(s.layer.c_str(), "we");
  if (!f) abort();
  if (size && std::fwrite(data, 1, size, f) != size) abort();
  if (std::fclose(f) != 0) abort();

  for (auto mode : {berth::images::WhiteoutMode::overlay, berth::images::WhiteoutMode::apply}) {
    remove_tree(s.parent);
    if (::mkdir(s.parent.c_str(), 0700) < 0 || ::mkdir(s.root.c_str(), 0755) < 0) abort();
    auto r = berth::images::unpack_layer(s.layer, s.root, mode);
    if (!r) (void)r.error().message.size();
    if (!empty_except(s.parent, "root") || !empty_except(kCanary, "")) abort();
  }
  (void)berth::images::layer_diff_id(s.layer);
  remove_tree(s.parent);
  return 0;
}
