// The systemd cgroup driver's bus-free half: unit names from cgroupsPath,
// slice expansion, resource properties, and its state round trip.
#include <gtest/gtest.h>

#include "cgroups/device_rules.h"
#include "cgroups/manager.h"
#include "cgroups/systemd_unit.h"

namespace berth::cgroups {
namespace {

const UnitProperty *find(const std::vector<UnitProperty> &props, std::string_view name) {
  for (const auto &p : props)
    if (p.name == name) return &p;
  return nullptr;
}

uint64_t u64(const std::vector<UnitProperty> &props, std::string_view name) {
  auto *p = find(props, name);
  EXPECT_NE(p, nullptr) << name;
  return p ? std::get<uint64_t>(p->value) : 0;
}

TEST(SystemdUnit, ParsesRuncSyntax) {
  auto u = parse_systemd_cgroups_path("system.slice:berth:c1", "ignored");
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_EQ(u->slice, "system.slice");
  EXPECT_EQ(u->name, "berth-c1.scope");
  EXPECT_FALSE(u->is_slice());

  u = parse_systemd_cgroups_path("", "abc");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->slice, "system.slice");
  EXPECT_EQ(u->name, "berth-abc.scope");

  u = parse_systemd_cgroups_path(":p:", "abc");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->name, "p-abc.scope");

  u = parse_systemd_cgroups_path("machine.slice::c1", "x");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->slice, "machine.slice");
  EXPECT_EQ(u->name, "c1.scope");

  u = parse_systemd_cgroups_path("system.slice:berth:berth-c2.slice", "x");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->name, "berth-c2.slice");
  EXPECT_TRUE(u->is_slice());
}

TEST(SystemdUnit, RejectsBadPaths) {
  for (const char *bad : {"/a/b", "a:b", "a:b:c:d", "nota-slice:p:n", "system.slice:p:a/b", "a--b.slice:p:n",
                          "system.slice:p:-x.slice"}) {
    auto u = parse_systemd_cgroups_path(bad, "id");
    EXPECT_FALSE(u) << bad;
    if (!u) {
      EXPECT_NE(u.error().message.find("linux.cgroupsPath"), std::string::npos) << u.error().message;
    }
  }
}

TEST(SystemdUnit, ExpandsSlices) {
  EXPECT_EQ(*expand_slice("-.slice"), "/");
  EXPECT_EQ(*expand_slice("system.slice"), "/system.slice");
  EXPECT_EQ(*expand_slice("a-b-c.slice"), "/a.slice/a-b.slice/a-b-c.slice");
  EXPECT_FALSE(expand_slice("a-.slice"));
  EXPECT_FALSE(expand_slice("a.scope"));
}

TEST(SystemdUnit, CpusetMasks) {
  EXPECT_EQ(*cpuset_to_mask("0", "f"), (std::vector<uint8_t>{0x01}));
  EXPECT_EQ(*cpuset_to_mask("0-2,9", "f"), (std::vector<uint8_t>{0x07, 0x02}));
  auto bad = cpuset_to_mask("3-1", "linux.resources.cpu.cpus");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("linux.resources.cpu.cpus"), std::string::npos);
}

TEST(SystemdUnit, ResourceProperties) {
  Resources r;
  r.memory = MemoryResources{};
  r.memory->limit = 64 << 20;
  r.memory->reservation = 32 << 20;
  r.memory->swap = 96 << 20;
  r.cpu = CpuResources{};
  r.cpu->shares = 1024;
  r.cpu->quota = 33333;
  r.cpu->period = 100000;
  r.cpu->cpus = "0-1";
  r.pids_limit = -1;
  r.block_io = BlockIoResources{};
  r.block_io->weight = 500;
  auto props = systemd_resource_properties(r, "");
  ASSERT_TRUE(props) << props.error().message;
  EXPECT_EQ(u64(*props, "MemoryMax"), 64u << 20);
  EXPECT_EQ(u64(*props, "MemoryLow"), 32u << 20);
  EXPECT_EQ(u64(*props, "MemorySwapMax"), 32u << 20);
  EXPECT_EQ(u64(*props, "CPUWeight"), 100u);
  // 333330us per second, rounded up to systemd's 10ms steps
  EXPECT_EQ(u64(*props, "CPUQuotaPerSecUSec"), 340000u);
  EXPECT_EQ(u64(*props, "CPUQuotaPeriodUSec"), 100000u);
  EXPECT_EQ(u64(*props, "TasksMax"), kSystemdInfinity);
  EXPECT_EQ(u64(*props, "IOWeight"), 4950u);
  ASSERT_NE(find(*props, "AllowedCPUs"), nullptr);
  EXPECT_EQ(std::get<std::vector<uint8_t>>(find(*props, "AllowedCPUs")->value), (std::vector<uint8_t>{0x03}));
  EXPECT_EQ(find(*props, "DevicePolicy"), nullptr);
}

TEST(SystemdUnit, DeviceProperties) {
  Resources r;
  r.devices.push_back({false, "a", std::nullopt, std::nullopt, "rwm"});
  r.devices.push_back({true, "c", 10, 200, "rw"});
  // Devices are set once at create, never by the resource properties update sends.
  auto res = systemd_resource_properties(r, "");
  ASSERT_TRUE(res);
  EXPECT_EQ(find(*res, "DevicePolicy"), nullptr);
  auto props = std::optional(systemd_device_properties(effective_device_rules(r.devices),
                                                       "Character devices:\n  1 mem\n136 pts\n\nBlock devices:\n  7 loop\n"));
  ASSERT_NE(find(*props, "DevicePolicy"), nullptr);
  EXPECT_EQ(std::get<std::string>(find(*props, "DevicePolicy")->value), "strict");
  auto allow = std::get<std::vector<std::pair<std::string, std::string>>>(find(*props, "DeviceAllow")->value);
  auto has = [&](std::string dev, std::string acc) {
    return std::find(allow.begin(), allow.end(), std::pair{dev, acc}) != allow.end();
  };
  EXPECT_TRUE(has("/dev/char/10:200", "rw"));
  EXPECT_TRUE(has("char-pts", "rwm"));   // the default /dev/pts/* rule, by its /proc/devices name
  EXPECT_TRUE(has("char-*", "m"));       // the default mknod rule
  EXPECT_TRUE(has("/dev/char/1:3", "rwm"));

  // Allowing everything leaves systemd's policy alone.
  r.devices.push_back({true, "a", std::nullopt, std::nullopt, "rwm"});
  props = systemd_device_properties(effective_device_rules(r.devices), "");
  EXPECT_EQ(find(*props, "DevicePolicy"), nullptr);
}

TEST(SystemdUnit, StateRoundTrip) {
  nlohmann::json j = {{"kind", "systemd"},
                      {"slice", "system.slice"},
                      {"unit", "berth-c1.scope"},
                      {"started", true},
                      {"cgroupfs", {{"kind", "v2"}, {"mount", "/sys/fs/cgroup"}, {"path", "/sys/fs/cgroup/system.slice/berth-c1.scope"}}}};
  auto m = manager_from_json(j);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ((*m)->to_json(), j);
  EXPECT_FALSE(manager_from_json({{"kind", "systemd"}, {"slice", "system.slice"}, {"unit", "a/b.scope"}}));
}

}  // namespace
}  // namespace berth::cgroups
