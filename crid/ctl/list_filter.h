// The client-side part of pods/ps filtering, as crictl does it: name and
// namespace regular expressions, id prefixes, newest first, --latest/--last.
#pragma once

#include <algorithm>
#include <cstdint>
#include <regex>
#include <string>
#include <vector>

namespace berth::cridctl {

// An empty pattern matches everything; a pattern that does not compile
// matches nothing (crictl's matchesRegex).
inline bool matches_regex(const std::string &pattern, const std::string &target) {
  if (pattern.empty()) return true;
  try {
    return std::regex_search(target, std::regex(pattern, std::regex::ECMAScript));
  } catch (const std::regex_error &) {
    return false;
  }
}

// Sorts newest first and keeps the newest `last` (or one with latest).
template <typename T, typename CreatedAt>
void newest_first(std::vector<T> &items, CreatedAt created_at, bool latest, long long last) {
  std::stable_sort(items.begin(), items.end(),
                   [&](const T &a, const T &b) { return created_at(a) > created_at(b); });
  size_t n = items.size();
  if (latest) n = 1;
  if (last > 0) n = static_cast<size_t>(last);
  if (n < items.size()) items.resize(n);
}

}  // namespace berth::cridctl
