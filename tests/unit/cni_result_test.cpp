#include "netns/cni_result.h"

#include <gtest/gtest.h>

namespace berth::netns {
namespace {

// What Debian's bridge + host-local give for a 1.0.0 list.
constexpr const char *kBridge10 = R"({
  "cniVersion": "1.0.0",
  "interfaces": [
    {"name": "crid0", "mac": "6e:1a:00:00:00:01"},
    {"name": "veth1234", "mac": "6e:1a:00:00:00:02"},
    {"name": "eth0", "mac": "6e:1a:00:00:00:03", "sandbox": "/run/crid/netns/abc"}
  ],
  "ips": [
    {"interface": 2, "address": "10.88.77.5/24", "gateway": "10.88.77.1"},
    {"interface": 2, "address": "fd00:77::5/64", "gateway": "fd00:77::1"}
  ],
  "routes": [{"dst": "0.0.0.0/0"}],
  "dns": {"nameservers": ["10.0.0.10"], "search": ["svc.cluster.local"]}
})";

TEST(CniResult, Parses10Results) {
  auto r = parse_result_text(std::string_view(kBridge10));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->cni_version, "1.0.0");
  ASSERT_EQ(r->interfaces.size(), 3u);
  EXPECT_EQ(r->interfaces[2].sandbox, "/run/crid/netns/abc");
  ASSERT_EQ(r->ips.size(), 2u);
  EXPECT_EQ(r->ips[0].address, "10.88.77.5/24");
  EXPECT_EQ(r->ips[0].gateway, "10.88.77.1");
  EXPECT_EQ(r->ips[0].interface, 2);
  ASSERT_EQ(r->routes.size(), 1u);
  EXPECT_EQ(r->routes[0].dst, "0.0.0.0/0");
  EXPECT_EQ(r->dns.nameservers, std::vector<std::string>{"10.0.0.10"});
  EXPECT_EQ(pod_ips(*r), (std::vector<std::string>{"10.88.77.5", "fd00:77::5"}));
}

TEST(CniResult, Parses04AndOlderForms) {
  auto r04 = parse_result_text(std::string_view(R"({"cniVersion": "0.4.0",
      "interfaces": [{"name": "eth0", "sandbox": "/x"}],
      "ips": [{"version": "4", "interface": 0, "address": "10.1.0.2/16", "gateway": "10.1.0.1"}]})"));
  ASSERT_TRUE(r04) << r04.error().message;
  EXPECT_EQ(pod_ips(*r04), std::vector<std::string>{"10.1.0.2"});

  auto r02 = parse_result_text(std::string_view(R"({"cniVersion": "0.2.0",
      "ip4": {"ip": "10.2.0.7/24", "gateway": "10.2.0.1", "routes": [{"dst": "0.0.0.0/0"}]}})"));
  ASSERT_TRUE(r02) << r02.error().message;
  EXPECT_EQ(pod_ips(*r02), std::vector<std::string>{"10.2.0.7"});
  EXPECT_EQ(r02->routes.size(), 1u);
}

TEST(CniResult, IPv4ComesFirstAndOtherInterfacesAreLeftOut) {
  auto r = parse_result_text(std::string_view(R"({"cniVersion": "1.0.0",
      "interfaces": [{"name": "eth0", "sandbox": "/ns"}, {"name": "net1", "sandbox": "/ns"}, {"name": "host0"}],
      "ips": [{"address": "fd00::9/64", "interface": 0}, {"address": "10.9.0.9/24", "interface": 0},
              {"address": "10.10.0.1/24", "interface": 1}, {"address": "10.11.0.1/24", "interface": 2},
              {"address": "10.12.0.1/24"}]})"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(pod_ips(*r), (std::vector<std::string>{"10.9.0.9", "10.12.0.1", "fd00::9"}));
}

TEST(CniResult, BadResultsNameTheField) {
  auto bad_index = parse_result_text(std::string_view(R"({"cniVersion": "1.0.0", "ips": [{"address": "1.2.3.4/8", "interface": 3}]})"));
  ASSERT_FALSE(bad_index);
  EXPECT_EQ(bad_index.error().message, "CNI result: ips[0].interface: not an index into interfaces");
  auto no_addr = parse_result_text(std::string_view(R"({"cniVersion": "1.0.0", "ips": [{"gateway": "1.2.3.4"}]})"));
  ASSERT_FALSE(no_addr);
  EXPECT_EQ(no_addr.error().message, "CNI result: ips[0]: missing \"address\"");
  EXPECT_FALSE(parse_result_text(std::string_view("not json")));
  // A number beyond a double is nlohmann's out_of_range, not a parse_error
  // (found by fuzz/fuzz_cni_result): an error, not an exception.
  auto overflow = parse_result_text(std::string_view(R"({"cniVersion": "1.0.0", "dns": 5e1111})"));
  ASSERT_FALSE(overflow);
  EXPECT_NE(overflow.error().message.find("CNI result: not valid JSON: "), std::string::npos) << overflow.error().message;
}

TEST(CniResult, ConvertsBetweenVersions) {
  auto r = parse_result_text(std::string_view(kBridge10));
  ASSERT_TRUE(r);
  auto j04 = result_to_json(*r, "0.4.0");
  EXPECT_EQ(j04["cniVersion"], "0.4.0");
  EXPECT_EQ(j04["ips"][0]["version"], "4");
  EXPECT_EQ(j04["ips"][1]["version"], "6");
  auto j10 = result_to_json(*r, "1.0.0");
  EXPECT_FALSE(j10["ips"][0].contains("version"));
  EXPECT_EQ(j10["ips"][0]["interface"], 2);
  EXPECT_EQ(j10["interfaces"][2]["sandbox"], "/run/crid/netns/abc");
  auto back = parse_result(j04);
  ASSERT_TRUE(back);
  EXPECT_EQ(pod_ips(*back), pod_ips(*r));
}

TEST(CniResult, ErrorObjects) {
  auto e = parse_error(R"({"cniVersion": "1.0.0", "code": 7, "msg": "no IP addresses available", "details": "range 10.0.0.0/30"})");
  ASSERT_TRUE(e);
  EXPECT_EQ(describe(*e), "no IP addresses available (range 10.0.0.0/30) [code 7]");
  EXPECT_FALSE(parse_error(R"({"cniVersion": "1.0.0", "ips": []})"));
  EXPECT_FALSE(parse_error("plain text"));
}

}  // namespace
}  // namespace berth::netns
