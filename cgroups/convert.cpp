#include "cgroups/convert.h"

#include <charconv>

namespace berth::cgroups {

namespace {

// log2 and 10^y without libm: berth would otherwise load libm.so on every
// start (its ifunc resolvers page in ~300 KiB) for this one conversion.
// The unit test checks every shares value against std::log2/std::pow.
constexpr double kLn2 = 0.6931471805599453094;
constexpr double kLn10 = 2.302585092994045684;

double series_log2(double x) {
  // x = m * 2^e with m in [sqrt(1/2), sqrt(2)); ln m = 2 atanh((m-1)/(m+1)).
  // Powers of two come out exact (m = 1), as 1024 -> 100 needs.
  int e = 0;
  while (x >= 1.4142135623730951) x *= 0.5, ++e;
  while (x < 0.7071067811865476) x *= 2, --e;
  double z = (x - 1) / (x + 1), z2 = z * z, term = z, sum = 0;
  for (int k = 1; k < 60; k += 2, term *= z2) sum += term / k;
  return e + 2 * sum / kLn2;
}

double series_exp(double y) {
  int k = static_cast<int>(y / kLn2 + (y >= 0 ? 0.5 : -0.5));
  double r = y - k * kLn2, sum = 1, term = 1;
  for (int i = 1; i < 30; ++i) term *= r / i, sum += term;
  for (; k > 0; --k) sum *= 2;
  for (; k < 0; ++k) sum *= 0.5;
  return sum;
}

}  // namespace

uint64_t cpu_shares_to_weight(uint64_t shares) {
  if (shares == 0) return 0;
  if (shares <= 2) return 1;
  if (shares >= 262144) return 10000;
  // log2 of shares runs over [1, 18]; the exponent of 10 over [0, 4], with
  // 1024 (log2 = 10) landing exactly on 100.
  double l = series_log2(static_cast<double>(shares));
  double exponent = (l * l + 125 * l) / 612.0 - 7.0 / 34.0;
  // Whole powers of ten exactly, the fraction through the series.
  int whole = static_cast<int>(exponent);
  double v = series_exp((exponent - whole) * kLn10);
  for (; whole > 0; --whole) v *= 10;
  auto up = static_cast<uint64_t>(v);
  return static_cast<double>(up) < v ? up + 1 : up;
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
