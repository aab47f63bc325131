// The part of the image store that reads what registries send: fetching
// manifests and blobs over HTTP(S) and unpacking layer archives. The store's
// bookkeeping (records, tags, garbage) stays in ImageService; a Fetcher only
// adds verified blobs and unpacked layers under the store root.
//
// crid runs a Fetcher in a helper process (crid-pull) started for each pull,
// so the daemon maps neither the HTTP/TLS stack nor the archive readers, and
// the parsers of untrusted registry data run outside it. Tests and tools run
// one in-process (images/local_fetcher.h).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "images/image_record.h"
#include "images/pull_progress.h"
#include "libcontainer/result.h"

namespace berth::images {

// Credentials for one pull (CRI's AuthConfig). Empty means anonymous.
struct Auth {
  std::string username;
  std::string password;
  std::string auth;            // base64("user:password"), used when username is empty
  std::string identity_token;  // OAuth2 refresh token for the registry's token server
  std::string registry_token;  // a bearer token to send as is
  bool empty() const {
    return username.empty() && password.empty() && auth.empty() && identity_token.empty() &&
           registry_token.empty();
  }
};

struct Platform {
  std::string os = "linux";
  std::string architecture = "amd64";
  std::string variant;  // empty: any
};

struct RegistryOptions {
  bool insecure = false;              // plain HTTP (and unverified TLS) allowed
  std::vector<std::string> mirrors;   // tried in order before the registry itself:
                                      // "host[:port]" or "http(s)://host[:port]"
};

struct FetchOptions {
  std::string root = "/var/lib/crid/images";  // blobs/, layers/, records.json live here
  std::string default_registry = "docker.io"; // for short names ("busybox")
  // Keyed by "host[:port]" as references name them ("docker.io", "127.0.0.1:5000").
  std::map<std::string, RegistryOptions> registries;
  Platform platform;
  std::string user_agent = "berth-crid/0.1";
  long connect_timeout_seconds = 30;
};

// Safe to call from several threads, and several fetchers (in several
// processes) may work on one root at once: each blob is downloaded and each
// layer unpacked once, the others wait for it (file locks under <root>/locks).
class Fetcher {
 public:
  virtual ~Fetcher() = default;
  // Fetches ref's manifest (through an index to this platform's), config and
  // layer blobs, verifies each, and unpacks the layers. The record returned
  // carries ref's tag and digest; the caller records it.
  virtual Result<ImageRecord> fetch(const std::string &ref, const Auth &auth, PullObserver *observer) = 0;
  // Unpacks each layer of the image that is missing into <root>/layers/<diffid hex>.
  virtual Result<void> unpack_layers(const ImageRecord &image) = 0;
  // Unpacks all layers, bottom first, into dest_dir (created if missing),
  // applying whiteouts: a flat copy of the image for runtimes without overlay.
  virtual Result<void> unpack_rootfs(const ImageRecord &image, const std::string &dest_dir) = 0;
};

// Where a fetcher serialises work on one blob or layer across processes.
inline std::string fetch_locks_dir(const std::string &root) { return root + "/locks"; }

}  // namespace berth::images
