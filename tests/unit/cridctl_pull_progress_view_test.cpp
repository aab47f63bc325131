// cridctl pull's layer lines: redrawn in place on a terminal, one plain line
// per finished layer otherwise.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "crid/ctl/pull_progress_view.h"

using berth::cridctl::LayerPhase;
using berth::cridctl::PullProgressView;

namespace {

const std::string kA = "sha256:aaaaaaaaaaaa0000000000000000000000000000000000000000000000000000";
const std::string kB = "sha256:bbbbbbbbbbbb1111111111111111111111111111111111111111111111111111";

struct Captured {
  Captured() : f(open_memstream(&buf, &len)) {}
  ~Captured() {
    if (f) std::fclose(f);
    std::free(buf);
  }
  std::string text() {
    std::fflush(f);
    return std::string(buf, len);
  }
  char *buf = nullptr;
  size_t len = 0;
  std::FILE *f;
};

}  // namespace

TEST(CridctlPullProgress, LinesNameTheShortDigestStateAndBytes) {
  EXPECT_EQ(PullProgressView::line(kA, LayerPhase::waiting, 0, 10), "aaaaaaaaaaaa: Waiting");
  EXPECT_EQ(PullProgressView::line(kA, LayerPhase::downloading, 1200000, 3400000),
            "aaaaaaaaaaaa: Downloading    1.2MB/3.4MB");
  EXPECT_EQ(PullProgressView::line(kA, LayerPhase::exists, 5, 5), "aaaaaaaaaaaa: Already exists");
  EXPECT_EQ(PullProgressView::line(kA, LayerPhase::done, 812, 812), "aaaaaaaaaaaa: Pull complete 812/812 bytes");
}

TEST(CridctlPullProgress, PlainOutputIsOneLinePerFinishedLayer) {
  Captured out;
  PullProgressView v(out.f, false);
  v.update(kA, LayerPhase::waiting, 0, 100);
  v.update(kB, LayerPhase::waiting, 0, 7);
  v.update(kA, LayerPhase::downloading, 50, 100);
  v.update(kB, LayerPhase::exists, 7, 7);
  v.update(kA, LayerPhase::done, 100, 100);
  v.update(kA, LayerPhase::downloading, 100, 100);  // late: ignored
  EXPECT_EQ(out.text(), "bbbbbbbbbbbb: Already exists\naaaaaaaaaaaa: Pull complete 100/100 bytes\n");
}

TEST(CridctlPullProgress, TerminalOutputRedrawsEveryLayerInPlace) {
  Captured out;
  PullProgressView v(out.f, true);
  v.update(kA, LayerPhase::waiting, 0, 100);
  v.update(kB, LayerPhase::waiting, 0, 7);
  v.update(kA, LayerPhase::done, 100, 100);
  EXPECT_EQ(out.text(),
            "\r\x1b[2Kaaaaaaaaaaaa: Waiting\n"
            "\x1b[1A\r\x1b[2Kaaaaaaaaaaaa: Waiting\n\r\x1b[2Kbbbbbbbbbbbb: Waiting\n"
            "\x1b[2A\r\x1b[2Kaaaaaaaaaaaa: Pull complete 100/100 bytes\n\r\x1b[2Kbbbbbbbbbbbb: Waiting\n");
}
