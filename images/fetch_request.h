// What crid sends crid-pull on its stdin (one JSON document) and what the
// helper writes back on its stdout (one JSON object a line): the options of
// the store, the operation with its arguments, then layer progress lines and
// one final line with the result or the error. Credentials travel this way,
// never on a command line other users can read.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "images/fetcher.h"
#include "images/image_record.h"
#include "images/pull_progress.h"
#include "libcontainer/result.h"

namespace berth::images {

struct FetchRequest {
  enum class Op { pull, unpack_layers, unpack_rootfs };
  Op op = Op::pull;
  FetchOptions options;
  std::string ref;       // pull
  Auth auth;             // pull
  bool progress = false; // pull: send layer progress lines
  ImageRecord image;     // unpack_layers, unpack_rootfs
  std::string dest_dir;  // unpack_rootfs
};

std::string fetch_request_to_json(const FetchRequest &request);
Result<FetchRequest> fetch_request_from_json(std::string_view text);

// The helper's lines.
std::string progress_line(const std::string &digest, LayerState state, uint64_t done, uint64_t total);
std::string result_line(const ImageRecord *image);  // null: the operation has no value
std::string error_line(const Error &error);

// One line read back: progress goes to the observer (when there is one); the
// final line's outcome is returned. nullopt for a progress line.
struct FetchReply {
  Result<std::optional<ImageRecord>> outcome = std::optional<ImageRecord>{};
};
std::optional<FetchReply> parse_reply_line(std::string_view line, PullObserver *observer);

}  // namespace berth::images
