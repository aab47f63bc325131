#include "crid/ctl/id_match.h"

#include <algorithm>

namespace berth::cridctl {

Result<std::string> match_id_prefix(std::string_view prefix, const std::vector<std::string> &ids,
                                    std::string_view kind) {
  if (prefix.empty()) return make_error("{} ID cannot be empty", kind);
  if (std::find(ids.begin(), ids.end(), prefix) != ids.end()) return std::string(prefix);
  std::vector<std::string> matches;
  for (const auto &id : ids)
    if (id.starts_with(prefix)) matches.push_back(id);
  if (matches.empty()) return std::string(prefix);
  if (matches.size() > 1) {
    std::sort(matches.begin(), matches.end());
    std::string list;
    for (const auto &m : matches) list += (list.empty() ? "" : ", ") + m.substr(0, 13);
    return make_error("{} ID prefix \"{}\" is ambiguous: it matches {} {}s ({})", kind, prefix, matches.size(), kind,
                      list);
  }
  return matches.front();
}

bool is_full_id(std::string_view id) {
  return id.size() == 64 && std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

}  // namespace berth::cridctl
