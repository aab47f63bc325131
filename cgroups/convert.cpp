#include "cgroups/convert.h"

#include <charconv>
#include <cmath>

namespace berth::cgroups {

uint64_t cpu_shares_to_weight(uint64_t shares) {
  if (shares == 0) return 0;
  if (shares <= 2) return 1;
  if (shares >= 262144) return 10000;
  // log2 of shares runs over [1, 18]; the exponent of 10 over [0, 4], with
  // 1024 (log2 = 10) landing exactly on 100.
  double l = std::log2(static_cast<double>(shares));
  double exponent = (l * l + 125 * l) / 612.0 - 7.0 / 34.0;
  return static_cast<uint64_t>(std::ceil(std::pow(10.0, exponent)));
}

uint64_t blkio_weight_to_io_weight(uint64_t weight) {
  if (weight == 0) return 0;
  if (weight < 10) weight = 10;
  return 1 + (weight - 10) * 9999 / 990;
}

Result<int64_t> swap_to_v2(int64_t swap, int64_t memory) {
  if (memory == -1 && swap == 0) return -1;
  if (swap == -1 || swap == 0) return swap;
  if (memory == 0 || memory == -1) return make_error("a swap limit needs a memory limit");
  if (memory < 0) return make_error("invalid memory limit {}", memory);
  if (swap < memory) return make_error("memory+swap limit {} is below the memory limit {}", swap, memory);
  return swap - memory;
}

std::optional<uint64_t> parse_page_size(const std::string &s) {
  uint64_t n = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc{}) return std::nullopt;
  std::string_view unit(p, s.data() + s.size() - p);
  static constexpr std::pair<std::string_view, int> units[] = {{"B", 0}, {"KB", 10}, {"MB", 20}, {"GB", 30}, {"TB", 40}, {"PB", 50}};
  for (auto [u, shift] : units)
    if (unit == u) return n << shift;
  return std::nullopt;
}

std::string v2_limit(int64_t value) { return value < 0 ? "max" : std::to_string(value); }

}  // namespace berth::cgroups
