#include "netns/cni_result.h"

#include <algorithm>

namespace berth::netns {

namespace {

// 0.1.0 and 0.2.0 results have ip4/ip6 objects instead of ips.
bool legacy_form(std::string_view version) { return version == "0.1.0" || version == "0.2.0"; }

// 0.3.0 to 0.4.0 put "version": "4"|"6" on each ip; 1.0.0 dropped it.
bool versioned_ips(std::string_view version) { return version.starts_with("0.3.") || version == "0.4.0"; }

Result<std::string> opt_string(const nlohmann::json &obj, const char *key, const std::string &where) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::string();
  if (!it->is_string()) return make_error("CNI result: {}.{}: expected a string", where, key);
  return it->get<std::string>();
}

Result<std::vector<std::string>> opt_strings(const nlohmann::json &obj, const char *key, const std::string &where) {
  std::vector<std::string> out;
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return out;
  if (!it->is_array()) return make_error("CNI result: {}.{}: expected an array of strings", where, key);
  for (const auto &s : *it) {
    if (!s.is_string()) return make_error("CNI result: {}.{}: expected an array of strings", where, key);
    out.push_back(s.get<std::string>());
  }
  return out;
}

Result<const nlohmann::json *> opt_array(const nlohmann::json &obj, const char *key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return nullptr;
  if (!it->is_array()) return make_error("CNI result: {}: expected an array", key);
  return &*it;
}

Result<CniRoute> parse_route(const nlohmann::json &r, const std::string &where) {
  if (!r.is_object()) return make_error("CNI result: {}: expected an object", where);
  CniRoute route{TRY(opt_string(r, "dst", where)), TRY(opt_string(r, "gw", where))};
  if (route.dst.empty()) return make_error("CNI result: {}: missing \"dst\"", where);
  return route;
}

Result<void> parse_legacy_ip(const nlohmann::json &json, const char *key, CniResult &result) {
  auto it = json.find(key);
  if (it == json.end() || it->is_null()) return {};
  if (!it->is_object()) return make_error("CNI result: {}: expected an object", key);
  CniIp ip{TRY(opt_string(*it, "ip", key)), TRY(opt_string(*it, "gateway", key)), -1};
  if (ip.address.empty()) return make_error("CNI result: {}: missing \"ip\"", key);
  result.ips.push_back(ip);
  if (const auto *routes = TRY(opt_array(*it, "routes")))
    for (size_t i = 0; i < routes->size(); ++i)
      result.routes.push_back(TRY(parse_route((*routes)[i], fmt::format("{}.routes[{}]", key, i))));
  return {};
}

std::string strip_prefix(const std::string &cidr) { return cidr.substr(0, cidr.find('/')); }

}  // namespace

Result<CniResult> parse_result(const nlohmann::json &json) {
  if (!json.is_object()) return make_error("CNI result: expected a JSON object");
  CniResult result;
  result.cni_version = TRY(opt_string(json, "cniVersion", "result"));
  if (legacy_form(result.cni_version)) {
    TRY(parse_legacy_ip(json, "ip4", result));
    TRY(parse_legacy_ip(json, "ip6", result));
  } else {
    if (const auto *ifaces = TRY(opt_array(json, "interfaces"))) {
      for (size_t i = 0; i < ifaces->size(); ++i) {
        const auto &f = (*ifaces)[i];
        std::string where = fmt::format("interfaces[{}]", i);
        if (!f.is_object()) return make_error("CNI result: {}: expected an object", where);
        result.interfaces.push_back(
            {TRY(opt_string(f, "name", where)), TRY(opt_string(f, "mac", where)), TRY(opt_string(f, "sandbox", where))});
      }
    }
    if (const auto *ips = TRY(opt_array(json, "ips"))) {
      for (size_t i = 0; i < ips->size(); ++i) {
        const auto &a = (*ips)[i];
        std::string where = fmt::format("ips[{}]", i);
        if (!a.is_object()) return make_error("CNI result: {}: expected an object", where);
        CniIp ip{TRY(opt_string(a, "address", where)), TRY(opt_string(a, "gateway", where)), -1};
        if (ip.address.empty()) return make_error("CNI result: {}: missing \"address\"", where);
        if (auto idx = a.find("interface"); idx != a.end() && !idx->is_null()) {
          if (!idx->is_number_integer() || idx->get<int>() < 0 ||
              static_cast<size_t>(idx->get<int>()) >= result.interfaces.size())
            return make_error("CNI result: {}.interface: not an index into interfaces", where);
          ip.interface = idx->get<int>();
        }
        result.ips.push_back(ip);
      }
    }
    if (const auto *routes = TRY(opt_array(json, "routes")))
      for (size_t i = 0; i < routes->size(); ++i)
        result.routes.push_back(TRY(parse_route((*routes)[i], fmt::format("routes[{}]", i))));
  }
  if (auto dns = json.find("dns"); dns != json.end() && !dns->is_null()) {
    if (!dns->is_object()) return make_error("CNI result: dns: expected an object");
    result.dns.nameservers = TRY(opt_strings(*dns, "nameservers", "dns"));
    result.dns.domain = TRY(opt_string(*dns, "domain", "dns"));
    result.dns.search = TRY(opt_strings(*dns, "search", "dns"));
    result.dns.options = TRY(opt_strings(*dns, "options", "dns"));
  }
  return result;
}

Result<CniResult> parse_result_text(std::string_view text) {
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception &e) {
    // parse_error, and out_of_range for a number too large for a double.
    return make_error("CNI result: not valid JSON: {}", e.what());
  }
  return parse_result(json);
}

nlohmann::json result_to_json(const CniResult &result, std::string_view cni_version) {
  nlohmann::json out = {{"cniVersion", cni_version}};
  if (legacy_form(cni_version)) {
    for (const auto &ip : result.ips) {
      const char *key = ip.address.find(':') == std::string::npos ? "ip4" : "ip6";
      if (out.contains(key)) continue;
      nlohmann::json o = {{"ip", ip.address}};
      if (!ip.gateway.empty()) o["gateway"] = ip.gateway;
      out[key] = o;
    }
  } else {
    nlohmann::json ifaces = nlohmann::json::array();
    for (const auto &f : result.interfaces) {
      nlohmann::json o = {{"name", f.name}};
      if (!f.mac.empty()) o["mac"] = f.mac;
      if (!f.sandbox.empty()) o["sandbox"] = f.sandbox;
      ifaces.push_back(o);
    }
    nlohmann::json ips = nlohmann::json::array();
    for (const auto &ip : result.ips) {
      nlohmann::json o = {{"address", ip.address}};
      if (versioned_ips(cni_version)) o["version"] = ip.address.find(':') == std::string::npos ? "4" : "6";
      if (!ip.gateway.empty()) o["gateway"] = ip.gateway;
      if (ip.interface >= 0) o["interface"] = ip.interface;
      ips.push_back(o);
    }
    nlohmann::json routes = nlohmann::json::array();
    for (const auto &r : result.routes) {
      nlohmann::json o = {{"dst", r.dst}};
      if (!r.gw.empty()) o["gw"] = r.gw;
      routes.push_back(o);
    }
    if (!ifaces.empty()) out["interfaces"] = ifaces;
    if (!ips.empty()) out["ips"] = ips;
    if (!routes.empty()) out["routes"] = routes;
  }
  nlohmann::json dns = nlohmann::json::object();
  if (!result.dns.nameservers.empty()) dns["nameservers"] = result.dns.nameservers;
  if (!result.dns.domain.empty()) dns["domain"] = result.dns.domain;
  if (!result.dns.search.empty()) dns["search"] = result.dns.search;
  if (!result.dns.options.empty()) dns["options"] = result.dns.options;
  out["dns"] = dns;
  return out;
}

std::vector<std::string> pod_ips(const CniResult &result, std::string_view ifname) {
  std::vector<std::string> v4, v6;
  for (const auto &ip : result.ips) {
    if (ip.interface >= 0) {
      const auto &f = result.interfaces[static_cast<size_t>(ip.interface)];
      if (f.sandbox.empty() || f.name != ifname) continue;
    }
    std::string addr = strip_prefix(ip.address);
    (addr.find(':') == std::string::npos ? v4 : v6).push_back(addr);
  }
  v4.insert(v4.end(), v6.begin(), v6.end());
  return v4;
}

std::optional<CniError> parse_error(std::string_view text) {
  nlohmann::json json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return std::nullopt;
  CniError e;
  auto code = json.find("code");
  auto msg = json.find("msg");
  if ((code == json.end() || !code->is_number_unsigned()) && (msg == json.end() || !msg->is_string()))
    return std::nullopt;
  if (code != json.end() && code->is_number_unsigned()) e.code = code->get<unsigned>();
  if (msg != json.end() && msg->is_string()) e.msg = msg->get<std::string>();
  if (auto d = json.find("details"); d != json.end() && d->is_string()) e.details = d->get<std::string>();
  return e;
}

std::string describe(const CniError &error) {
  std::string out = error.msg;
  if (!error.details.empty()) out += out.empty() ? error.details : fmt::format(" ({})", error.details);
  if (error.code != 0) out += fmt::format("{}[code {}]", out.empty() ? "" : " ", error.code);
  return out;
}

}  // namespace berth::netns
