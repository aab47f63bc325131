// CNI results: what ADD returns (spec 1.0 and the older 0.3.x/0.4.0 form,
// told apart by cniVersion; 0.1.0/0.2.0's ip4/ip6 too), and the error object
// a failing plugin prints.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "libcontainer/result.h"

namespace berth::netns {

struct CniInterface {
  std::string name;
  std::string mac;
  std::string sandbox;  // the netns path for interfaces inside the pod; "" on the host
};

struct CniIp {
  std::string address;  // CIDR: "10.88.77.5/24"
  std::string gateway;  // may be ""
  int interface = -1;   // index into interfaces, -1 when not given
};

struct CniRoute {
  std::string dst;  // CIDR
  std::string gw;   // may be ""
};

struct CniDns {
  std::vector<std::string> nameservers;
  std::string domain;
  std::vector<std::string> search;
  std::vector<std::string> options;
};

struct CniResult {
  std::string cni_version;
  std::vector<CniInterface> interfaces;
  std::vector<CniIp> ips;
  std::vector<CniRoute> routes;
  CniDns dns;
};

// Parses a result; errors name the field.
Result<CniResult> parse_result(const nlohmann::json &json);
Result<CniResult> parse_result_text(std::string_view text);

// The result in the form of cni_version ("1.0.0", "0.4.0", "0.3.1": the
// 0.3/0.4 form carries "version" on each ip), as prevResult for the next
// plugin of a list that speaks that version.
nlohmann::json result_to_json(const CniResult &result, std::string_view cni_version);

// The pod's addresses without prefix length: those on the sandbox interface
// named ifname (or on no interface in particular), IPv4 first, then IPv6.
std::vector<std::string> pod_ips(const CniResult &result, std::string_view ifname = "eth0");

// A plugin's error output ({"cniVersion", "code", "msg", "details"}).
struct CniError {
  unsigned code = 0;
  std::string msg;
  std::string details;
};

// The error object in a failed plugin's stdout, nullopt when it is not one.
std::optional<CniError> parse_error(std::string_view text);

// "msg (details) [code N]", or "" when nothing was said.
std::string describe(const CniError &error);

}  // namespace berth::netns
