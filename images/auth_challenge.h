// WWW-Authenticate challenges from registries (RFC 7235 auth-params), e.g.
//   Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace berth::images {

struct AuthChallenge {
  std::string scheme;                         // lowercase: "bearer", "basic"
  std::map<std::string, std::string> params;  // keys lowercase: "realm", "service", "scope"
  std::string param(const std::string &key) const {
    auto it = params.find(key);
    return it == params.end() ? std::string() : it->second;
  }
};

// All challenges in a header value; malformed parts are skipped.
std::vector<AuthChallenge> parse_auth_challenges(std::string_view header);

}  // namespace berth::images
