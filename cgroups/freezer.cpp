#include "cgroups/freezer.h"

#include <chrono>
#include <thread>

#include "cgroups/cgroupfs.h"

namespace berth::cgroups {

namespace {

using namespace std::chrono;

// Tasks stop at their next return to user space; a task in an uninterruptible
// sleep (NFS, a vfork parent) can hold a freeze up for a while, but not
// forever is what a caller needs: five seconds, then give up.
constexpr auto kFreezeTimeout = seconds(5);

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.remove_suffix(1);
  return s;
}

// Polls done() with growing sleeps until it holds or the deadline passes.
template <typename F>
Result<bool> wait_until(F done) {
  auto deadline = steady_clock::now() + kFreezeTimeout;
  auto delay = microseconds(100);
  for (;;) {
    if (TRY(done())) return true;
    if (steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(delay);
    delay = std::min(delay * 2, duration_cast<microseconds>(milliseconds(50)));
  }
}

}  // namespace

Result<FreezerState> freezer_state_v1(const std::string &dir) {
  auto text = TRY(read_text(dir + "/freezer.state"));
  auto s = trim(text);
  if (s == "THAWED") return FreezerState::Thawed;
  if (s == "FREEZING") return FreezerState::Freezing;
  if (s == "FROZEN") return FreezerState::Frozen;
  return make_error("{}/freezer.state: unexpected state \"{}\"", dir, s);
}

Result<void> freeze_v1(const std::string &dir) {
  std::string file = dir + "/freezer.state";
  // Writing FROZEN again while FREEZING makes the kernel retry the tasks that
  // were not stopped yet, so the write is part of the loop.
  auto frozen = wait_until([&]() -> Result<bool> {
    TRY_CTX(write_text(file, "FROZEN"), fmt::format("freeze cgroup {}", dir));
    return TRY(freezer_state_v1(dir)) == FreezerState::Frozen;
  });
  if (frozen && *frozen) return {};
  (void)write_text(file, "THAWED");
  if (!frozen) return std::unexpected(frozen.error());
  return make_error("freeze cgroup {}: tasks still running after {}s; thawed it again", dir,
                    duration_cast<seconds>(kFreezeTimeout).count());
}

Result<void> thaw_v1(const std::string &dir) {
  TRY_CTX(write_text(dir + "/freezer.state", "THAWED"), fmt::format("thaw cgroup {}", dir));
  return {};
}

Result<FreezerState> freezer_state_v2(const std::string &dir) {
  auto want = TRY(read_text(dir + "/cgroup.freeze"));
  if (trim(want) == "0") return FreezerState::Thawed;
  auto events = TRY(read_text(dir + "/cgroup.events"));
  // cgroup.events holds "populated N\nfrozen N\n".
  size_t pos = events.find("frozen ");
  if (pos == std::string::npos) return make_error("{}/cgroup.events: no \"frozen\" entry", dir);
  return events.compare(pos, 8, "frozen 1") == 0 ? FreezerState::Frozen : FreezerState::Freezing;
}

Result<void> freeze_v2(const std::string &dir) {
  std::string file = dir + "/cgroup.freeze";
  TRY_CTX(write_text(file, "1"), fmt::format("freeze cgroup {}", dir));
  auto frozen = wait_until([&]() -> Result<bool> { return TRY(freezer_state_v2(dir)) == FreezerState::Frozen; });
  if (frozen && *frozen) return {};
  (void)write_text(file, "0");
  if (!frozen) return std::unexpected(frozen.error());
  return make_error("freeze cgroup {}: tasks still running after {}s; thawed it again", dir,
                    duration_cast<seconds>(kFreezeTimeout).count());
}

Result<void> thaw_v2(const std::string &dir) {
  TRY_CTX(write_text(dir + "/cgroup.freeze", "0"), fmt::format("thaw cgroup {}", dir));
  return {};
}

}  // namespace berth::cgroups
