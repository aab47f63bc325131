// Registry HTTP API v2 over libcurl: manifests and blobs, with anonymous,
// bearer-token and basic auth, mirrors, and HTTP only for insecure registries.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "images/content_store.h"
#include "images/image_service.h"
#include "images/reference.h"
#include "libcontainer/result.h"

namespace berth::images {

struct FetchedManifest {
  std::string body;
  std::string media_type;  // the Content-Type the registry sent
  std::string digest;      // "sha256:<hex>" of body
};

class RegistryClient {
 public:
  RegistryClient(std::map<std::string, RegistryOptions> registries, std::string user_agent,
                 long connect_timeout_seconds);

  // ref_or_digest: a tag or "sha256:..."; a manifest fetched by digest must hash to it (EBADMSG).
  Result<FetchedManifest> get_manifest(const Reference &ref, const std::string &ref_or_digest, const Auth &auth);
  // Streams the blob into a fresh writer per endpoint and commits it (which
  // verifies it): a mirror that fails midway or serves the wrong bytes is
  // passed over for the next endpoint.
  Result<std::string> fetch_blob(const Reference &ref, const Digest &digest, const Auth &auth,
                                 const std::function<Result<BlobWriter>()> &new_writer);

  struct Endpoint {
    std::string base;  // "https://registry-1.docker.io"
    bool verify_tls = true;
  };
  // The endpoints tried for a registry, mirrors first. A host (mirror or
  // registry) marked insecure is tried over HTTPS without verification, then HTTP.
  std::vector<Endpoint> endpoints(const std::string &registry) const;

 private:
  struct Response;
  Result<Response> request(const Endpoint &ep, const std::string &repository,
                           const std::string &path, const std::string &accept, const Auth &auth, BlobWriter *sink);
  Result<Response> perform(const std::string &url, const std::string &accept, const std::string &authorization,
                           bool verify_tls, BlobWriter *sink, const std::string *post_form = nullptr);
  Result<std::string> fetch_token(const std::string &www_authenticate, const std::string &repository,
                                  const Auth &auth, bool verify_tls);
  bool insecure(const std::string &host) const;

  std::map<std::string, RegistryOptions> registries_;
  std::string user_agent_;
  long connect_timeout_;
  std::mutex mu_;
  std::map<std::string, std::string> auth_cache_;  // base + repository -> Authorization header
};

// user:password for basic auth from an Auth (decoding Auth::auth when needed).
std::pair<std::string, std::string> basic_credentials(const Auth &auth);

}  // namespace berth::images
