#include "crid/pull_helper.h"

#include <unistd.h>

#include "crid/log.h"
#include "crid/spawn.h"
#include "images/fetch_request.h"

namespace berth::crid {

namespace {

class PullHelperFetcher : public images::Fetcher {
 public:
  PullHelperFetcher(images::FetchOptions options, std::string path) : options_(std::move(options)), path_(std::move(path)) {}

  Result<images::ImageRecord> fetch(const std::string &ref, const images::Auth &auth,
                                    images::PullObserver *observer) override {
    images::FetchRequest request;
    request.op = images::FetchRequest::Op::pull;
    request.ref = ref;
    request.auth = auth;
    request.progress = observer != nullptr;
    auto image = TRY(run(std::move(request), observer));
    if (!image) return std::unexpected(Error{EPROTO, fmt::format("pull helper {}: no image in its answer", path_)});
    return std::move(*image);
  }

  Result<void> unpack_layers(const images::ImageRecord &image) override {
    images::FetchRequest request;
    request.op = images::FetchRequest::Op::unpack_layers;
    request.image = image;
    TRY(run(std::move(request), nullptr));
    return {};
  }

  Result<void> unpack_rootfs(const images::ImageRecord &image, const std::string &dest_dir) override {
    images::FetchRequest request;
    request.op = images::FetchRequest::Op::unpack_rootfs;
    request.image = image;
    request.dest_dir = dest_dir;
    TRY(run(std::move(request), nullptr));
    return {};
  }

 private:
  Result<std::optional<images::ImageRecord>> run(images::FetchRequest request, images::PullObserver *observer) {
    request.options = options_;
    SpawnRequest spawn;
    // The helper ends with crid (PR_SET_PDEATHSIG), checked against this pid.
    spawn.argv = {path_, "--parent-pid", std::to_string(::getpid())};
    spawn.stdin_data = images::fetch_request_to_json(request);
    std::optional<images::FetchReply> reply;
    spawn.on_stdout_line = [&](std::string_view line) {
      if (line.empty() || reply) return;
      reply = images::parse_reply_line(line, observer);
    };
    auto ran = TRY_CTX(run_program(spawn), "start the pull helper");
    if (!ran.err.empty()) log::warning("pull helper {}: {}", path_, runtime_error_text(ran));
    if (!reply) {
      std::string why = ran.signal ? fmt::format("was killed by signal {}", ran.signal)
                                   : fmt::format("exited with status {}", ran.exit_code);
      if (!ran.err.empty()) why += ": " + runtime_error_text(ran);
      return std::unexpected(Error{EIO, fmt::format("pull helper {} {} without an answer", path_, why)});
    }
    if (!reply->outcome) return std::unexpected(reply->outcome.error());
    return std::move(*reply->outcome);
  }

  images::FetchOptions options_;
  std::string path_;
};

}  // namespace

std::unique_ptr<images::Fetcher> make_pull_helper_fetcher(images::FetchOptions options, std::string helper_path) {
  return std::make_unique<PullHelperFetcher>(std::move(options), std::move(helper_path));
}

}  // namespace berth::crid
