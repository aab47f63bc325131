#include "images/registry_client.h"

#include <curl/curl.h>

#include <memory>

#include <nlohmann/json.hpp>

#include "images/auth_challenge.h"
#include "images/manifest.h"

namespace berth::images {

namespace {

constexpr size_t kMaxManifestBytes = 8 << 20;

struct CurlGlobal {
  CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

std::string base64_decode(std::string_view in) {
  static const std::string chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned val = 0;
  int bits = -8;
  for (char c : in) {
    auto pos = chars.find(c);
    if (pos == std::string::npos) break;
    val = (val << 6) + static_cast<unsigned>(pos);
    bits += 6;
    if (bits >= 0) {
      out.push_back(static_cast<char>((val >> bits) & 0xff));
      bits -= 8;
    }
  }
  return out;
}

std::string base64_encode(std::string_view in) {
  static const char chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned val = 0;
  int bits = -6;
  for (unsigned char c : in) {
    val = (val << 8) + c;
    bits += 8;
    while (bits >= 0) {
      out.push_back(chars[(val >> bits) & 0x3f]);
      bits -= 6;
    }
  }
  if (bits > -6) out.push_back(chars[((val << 8) >> (bits + 8)) & 0x3f]);
  while (out.size() % 4) out.push_back('=');
  return out;
}

std::string url_escape(const std::string &s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == ':' || c == '/')
      out.push_back(static_cast<char>(c));
    else
      out += fmt::format("%{:02X}", c);
  }
  return out;
}

// "errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}] -> "MANIFEST_UNKNOWN: manifest unknown"
std::string registry_error_text(const std::string &body) {
  try {
    auto j = nlohmann::json::parse(body);
    std::string out;
    for (auto &e : j.at("errors")) {
      if (!out.empty()) out += "; ";
      out += e.value("code", "") + ": " + e.value("message", "");
    }
    return out;
  } catch (const nlohmann::json::exception &) {
    return body.size() > 200 ? body.substr(0, 200) + "..." : body;
  }
}

int errno_for_status(long status) {
  if (status == 404) return ENOENT;
  if (status == 401 || status == 403) return EACCES;
  return EIO;
}

}  // namespace

std::pair<std::string, std::string> basic_credentials(const Auth &auth) {
  if (!auth.username.empty()) return {auth.username, auth.password};
  if (!auth.auth.empty()) {
    std::string dec = base64_decode(auth.auth);
    auto colon = dec.find(':');
    if (colon != std::string::npos) return {dec.substr(0, colon), dec.substr(colon + 1)};
  }
  return {};
}

struct RegistryClient::Response {
  long status = 0;
  std::string body;  // when not streamed to a sink (or an error body)
  std::string content_type;
  std::string www_authenticate;
  std::string url;
};

RegistryClient::RegistryClient(std::map<std::string, RegistryOptions> registries, std::string user_agent,
                               long connect_timeout_seconds)
    : registries_(std::move(registries)), user_agent_(std::move(user_agent)), connect_timeout_(connect_timeout_seconds) {
  static CurlGlobal init;
}

bool RegistryClient::insecure(const std::string &host) const {
  auto it = registries_.find(host);
  return it != registries_.end() && it->second.insecure;
}

std::vector<RegistryClient::Endpoint> RegistryClient::endpoints(const std::string &registry) const {
  std::vector<Endpoint> out;
  auto add_host = [&](const std::string &host) {
    if (host.starts_with("http://") || host.starts_with("https://")) {
      std::string base = host.back() == '/' ? host.substr(0, host.size() - 1) : host;
      std::string bare = base.substr(base.find("://") + 3);
      out.push_back({base, !insecure(bare)});
      return;
    }
    std::string h = host == "docker.io" ? "registry-1.docker.io" : host;
    bool unsafe = insecure(host);
    out.push_back({"https://" + h, !unsafe});
    // Plain HTTP only where the administrator said so.
    if (unsafe) out.push_back({"http://" + h, false});
  };
  if (auto it = registries_.find(registry); it != registries_.end())
    for (auto &m : it->second.mirrors) add_host(m);
  add_host(registry);
  return out;
}

namespace {

struct Transfer {
  std::string *body;
  BlobWriter *sink;
  long status = 0;
  CURL *curl;
  Error sink_error;
  bool sink_failed = false;
};

size_t on_data(char *ptr, size_t size, size_t nmemb, void *user) {
  auto *t = static_cast<Transfer *>(user);
  size_t n = size * nmemb;
  if (t->status == 0) curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &t->status);
  if (t->sink && t->status == 200) {
    if (auto r = t->sink->write(ptr, n); !r) {
      t->sink_error = r.error();
      t->sink_failed = true;
      return 0;
    }
    return n;
  }
  if (t->body->size() + n > kMaxManifestBytes) return 0;
  t->body->append(ptr, n);
  return n;
}

size_t on_header(char *buffer, size_t size, size_t nitems, void *user) {
  auto *headers = static_cast<std::map<std::string, std::string> *>(user);
  std::string_view line(buffer, size * nitems);
  if (line.starts_with("HTTP/")) headers->clear();  // a new response after a redirect
  auto colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string name(line.substr(0, colon));
    for (auto &c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) value.remove_suffix(1);
    (*headers)[name] = std::string(value);
  }
  return size * nitems;
}

}  // namespace

Result<RegistryClient::Response> RegistryClient::perform(const std::string &url, const std::string &accept,
                                                         const std::string &authorization, bool verify_tls,
                                                         BlobWriter *sink, const std::string *post_form) {
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return make_error("GET {}: cannot initialise libcurl", url);
  Response resp;
  resp.url = url;
  std::map<std::string, std::string> headers;
  Transfer t{&resp.body, sink, 0, curl.get(), {}, false};
  struct curl_slist *list = nullptr;
  if (!accept.empty()) list = curl_slist_append(list, ("Accept: " + accept).c_str());
  if (!authorization.empty()) list = curl_slist_append(list, ("Authorization: " + authorization).c_str());
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> list_guard(list, curl_slist_free_all);
  char errbuf[CURL_ERROR_SIZE] = "";
  CURL *c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(c, CURLOPT_USERAGENT, user_agent_.c_str());
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, connect_timeout_);
  // Give up on a stalled transfer rather than hang a pull forever.
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &headers);
  if (post_form) curl_easy_setopt(c, CURLOPT_POSTFIELDS, post_form->c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  if (!verify_tls) {
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  CURLcode rc = curl_easy_perform(c);
  if (t.sink_failed) return std::unexpected(t.sink_error.context(fmt::format("GET {}", url)));
  if (rc != CURLE_OK)
    return std::unexpected(Error{EHOSTUNREACH, fmt::format("GET {}: {}", url, errbuf[0] ? errbuf : curl_easy_strerror(rc))});
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp.status);
  resp.content_type = headers["content-type"];
  resp.www_authenticate = headers["www-authenticate"];
  return resp;
}

Result<std::string> RegistryClient::fetch_token(const std::string &challenge_header, const std::string &repository,
                                                const Auth &auth, bool verify_tls) {
  auto [user, pass] = basic_credentials(auth);
  for (auto &ch : parse_auth_challenges(challenge_header)) {
    if (ch.scheme == "basic") {
      if (user.empty())
        return std::unexpected(Error{EACCES, "the registry wants a user name and password (basic auth) and none was given"});
      return "Basic " + base64_encode(user + ":" + pass);
    }
    if (ch.scheme != "bearer") continue;
    if (!auth.registry_token.empty()) return "Bearer " + auth.registry_token;
    std::string realm = ch.param("realm");
    if (realm.empty()) return make_error("bearer challenge without a realm: {}", challenge_header);
    std::string scope = ch.param("scope");
    if (scope.empty()) scope = "repository:" + repository + ":pull";
    std::string url = realm + (realm.find('?') == std::string::npos ? "?" : "&");
    if (!ch.param("service").empty()) url += "service=" + url_escape(ch.param("service")) + "&";
    url += "scope=" + url_escape(scope);
    std::string authorization = user.empty() ? "" : "Basic " + base64_encode(user + ":" + pass);
    Response resp;
    if (!auth.identity_token.empty()) {
      // An identity token is an OAuth2 refresh token: exchanged by POST, as docker does.
      url = realm;
      std::string form = "grant_type=refresh_token&client_id=berth&refresh_token=" + url_escape(auth.identity_token) +
                         "&service=" + url_escape(ch.param("service")) + "&scope=" + url_escape(scope);
      resp = TRY_CTX(perform(url, "application/json", "", verify_tls, nullptr, &form), "fetch registry token");
    } else {
      resp = TRY_CTX(perform(url, "application/json", authorization, verify_tls, nullptr), "fetch registry token");
    }
    if (resp.status != 200)
      return std::unexpected(Error{errno_for_status(resp.status),
                                   fmt::format("fetch registry token from {}: HTTP {}: {}", url, resp.status,
                                               registry_error_text(resp.body))});
    try {
      auto j = nlohmann::json::parse(resp.body);
      std::string token = j.value("token", "");
      if (token.empty()) token = j.value("access_token", "");
      if (token.empty()) return make_error("token server {} answered without a token", realm);
      return "Bearer " + token;
    } catch (const nlohmann::json::exception &e) {
      return make_error("token server {}: malformed answer: {}", realm, e.what());
    }
  }
  return std::unexpected(Error{EACCES, fmt::format("unsupported authentication challenge \"{}\"", challenge_header)});
}

Result<RegistryClient::Response> RegistryClient::request(const Endpoint &ep, const std::string &repository,
                                                         const std::string &path,
                                                         const std::string &accept, const Auth &auth,
                                                         BlobWriter *sink) {
  const std::string &base = ep.base;
  bool verify_tls = ep.verify_tls;
  std::string url = base + "/v2/" + repository + path;
  // Tokens are cached per set of credentials: one pod's pull secret must never
  // authorise another pod's pull.
  auto [user, pass] = basic_credentials(auth);
  std::string key = base + " " + repository + " " +
                    sha256_hex(user + '\0' + pass + '\0' + auth.identity_token + '\0' + auth.registry_token);
  std::string authorization;
  {
    std::lock_guard lock(mu_);
    if (auto it = auth_cache_.find(key); it != auth_cache_.end()) authorization = it->second;
  }
  auto resp = TRY(perform(url, accept, authorization, verify_tls, sink));
  if (resp.status == 401 && !resp.www_authenticate.empty()) {
    authorization = TRY_CTX(fetch_token(resp.www_authenticate, repository, auth, verify_tls), fmt::format("GET {}", url));
    {
      std::lock_guard lock(mu_);
      auth_cache_[key] = authorization;
    }
    resp = TRY(perform(url, accept, authorization, verify_tls, sink));
  }
  if (resp.status != 200)
    return std::unexpected(Error{errno_for_status(resp.status),
                                 fmt::format("GET {}: HTTP {}{}", url, resp.status,
                                             resp.body.empty() ? "" : ": " + registry_error_text(resp.body))});
  return resp;
}

Result<FetchedManifest> RegistryClient::get_manifest(const Reference &ref, const std::string &ref_or_digest,
                                                     const Auth &auth) {
  static const std::string accept = fmt::format("{}, {}, {}, {}", kOciIndex, kOciManifest, kDockerList, kDockerManifest);
  Error last{EHOSTUNREACH, "no endpoint"};
  for (auto &ep : endpoints(ref.registry)) {
    const std::string &base = ep.base;
    auto resp = request(ep, ref.repository, "/manifests/" + ref_or_digest, accept, auth, nullptr);
    if (!resp) {
      last = resp.error();
      continue;
    }
    FetchedManifest m{std::move(resp->body), resp->content_type, ""};
    m.digest = "sha256:" + sha256_hex(m.body);
    if (ref_or_digest.starts_with("sha256:") && m.digest != ref_or_digest) {
      last = Error{EBADMSG, fmt::format("manifest {} from {}: content has digest {}", ref_or_digest, base, m.digest)};
      continue;
    }
    return m;
  }
  return std::unexpected(last.context(fmt::format("fetch manifest {}", ref.str())));
}

Result<std::string> RegistryClient::fetch_blob(const Reference &ref, const Digest &digest, const Auth &auth,
                                               const std::function<Result<BlobWriter>()> &new_writer) {
  Error last{EHOSTUNREACH, "no endpoint"};
  for (auto &ep : endpoints(ref.registry)) {
    const std::string &base = ep.base;
    auto out = TRY(new_writer());
    auto resp = request(ep, ref.repository, "/blobs/" + digest.str(), "", auth, &out);
    if (!resp) {
      last = resp.error();
      continue;
    }
    auto path = out.commit();
    if (path) return path;
    last = path.error().context(fmt::format("GET {}/v2/{}/blobs/{}", base, ref.repository, digest.str()));
  }
  return std::unexpected(last.context(fmt::format("fetch blob {} of {}", digest.str(), ref.name())));
}

}  // namespace berth::images
