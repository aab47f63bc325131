#include "libcontainer/spec_parser.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <string>

namespace berth {
namespace {

using nlohmann::json;

// Every field of the model set to something other than its default.
constexpr const char *kFullConfig = R"json({
  "ociVersion": "1.3.0",
  "process": {
    "terminal": true,
    "consoleSize": {"height": 24, "width": 80},
    "user": {"uid": 1000, "gid": 1001, "umask": 18, "additionalGids": [5, 6], "username": "u"},
    "args": ["sh", "-c", "true"],
    "commandLine": "cmd.exe",
    "env": ["PATH=/bin", "EMPTY="],
    "cwd": "/work",
    "capabilities": {
      "bounding": ["CAP_KILL"], "effective": ["CAP_CHOWN"], "inheritable": ["CAP_FOWNER"],
      "permitted": ["CAP_SETUID"], "ambient": ["CAP_NET_RAW"]
    },
    "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 2048, "soft": 1024},
                {"type": "RLIMIT_CORE", "hard": 18446744073709551615, "soft": 0}],
    "noNewPrivileges": true,
    "apparmorProfile": "berth-default",
    "oomScoreAdj": -500,
    "selinuxLabel": "system_u:system_r:container_t:s0",
    "ioPriority": {"class": "IOPRIO_CLASS_BE", "priority": 4},
    "scheduler": {"policy": "SCHED_DEADLINE", "nice": -5, "priority": 3,
                  "flags": ["SCHED_FLAG_RESET_ON_FORK"], "runtime": 100, "deadline": 200, "period": 300},
    "execCPUAffinity": {"initial": "0-3,7", "final": "1"}
  },
  "root": {"path": "rootfs", "readonly": true},
  "hostname": "box",
  "domainname": "example.org",
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/data", "type": "bind", "source": "/srv/data", "options": ["rbind", "idmap"],
     "uidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}],
     "gidMappings": [{"containerID": 0, "hostID": 200000, "size": 65536}]}
  ],
  "hooks": {
    "prestart": [{"path": "/bin/pre", "args": ["pre", "a"], "env": ["A=1"], "timeout": 5}],
    "createRuntime": [{"path": "/bin/cr"}],
    "createContainer": [{"path": "/bin/cc"}],
    "startContainer": [{"path": "/bin/sc"}],
    "poststart": [{"path": "/bin/ps"}],
    "poststop": [{"path": "/bin/pst"}, {"path": "/bin/pst2"}]
  },
  "annotations": {"org.example.key": "value"},
  "linux": {
    "namespaces": [
      {"type": "pid"}, {"type": "network", "path": "/var/run/netns/n1"}, {"type": "mount"}, {"type": "ipc"},
      {"type": "uts"}, {"type": "user"}, {"type": "cgroup"}, {"type": "time"}
    ],
    "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}],
    "gidMappings": [{"containerID": 0, "hostID": 1001, "size": 2}],
    "timeOffsets": {"monotonic": {"secs": -3600, "nanosecs": 5}, "boottime": {"secs": 7}},
    "devices": [
      {"type": "c", "path": "/dev/fuse", "major": 10, "minor": 229, "fileMode": 438, "uid": 0, "gid": 0},
      {"type": "p", "path": "/dev/fifo"}
    ],
    "netDevices": {"eth1": {"name": "ctr0"}, "dummy0": {}},
    "cgroupsPath": "/berth/c1",
    "resources": {
      "devices": [{"allow": false, "access": "rwm"},
                  {"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rw"}],
      "memory": {"limit": 536870912, "reservation": 268435456, "swap": -1, "kernel": 1, "kernelTCP": 2,
                 "swappiness": 60, "disableOOMKiller": true, "useHierarchy": false, "checkBeforeUpdate": true},
      "cpu": {"shares": 1024, "quota": 50000, "burst": 1000, "period": 100000, "realtimeRuntime": 950,
              "realtimePeriod": 1000, "cpus": "0-1", "mems": "0", "idle": 1},
      "pids": {"limit": 32},
      "blockIO": {
        "weight": 500, "leafWeight": 300,
        "weightDevice": [{"major": 8, "minor": 0, "weight": 600, "leafWeight": 100}],
        "throttleReadBpsDevice": [{"major": 8, "minor": 0, "rate": 1048576}],
        "throttleWriteBpsDevice": [{"major": 8, "minor": 1, "rate": 2}],
        "throttleReadIOPSDevice": [{"major": 8, "minor": 2, "rate": 3}],
        "throttleWriteIOPSDevice": [{"major": 8, "minor": 3, "rate": 4}]
      },
      "hugepageLimits": [{"pageSize": "2MB", "limit": 209715200}],
      "network": {"classID": 1048577, "priorities": [{"name": "eth0", "priority": 500}]},
      "rdma": {"mlx5_1": {"hcaHandles": 3, "hcaObjects": 10000}},
      "unified": {"memory.high": "1G"}
    },
    "rootfsPropagation": "rslave",
    "maskedPaths": ["/proc/kcore"],
    "readonlyPaths": ["/proc/sys"],
    "mountLabel": "system_u:object_r:container_file_t:s0",
    "sysctl": {"net.ipv4.ip_forward": "1"},
    "seccomp": {
      "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
      "architectures": ["SCMP_ARCH_X86_64"], "flags": ["SECCOMP_FILTER_FLAG_LOG"],
      "listenerPath": "/run/seccomp.sock", "listenerMetadata": "meta",
      "syscalls": [{"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"},
                   {"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38,
                    "args": [{"index": 0, "value": 255, "valueTwo": 8, "op": "SCMP_CMP_MASKED_EQ"}]}]
    },
    "intelRdt": {"closID": "guaranteed", "l3CacheSchema": "L3:0=7f", "memBwSchema": "MB:0=20",
                 "schemata": ["L2:0=3"], "enableMonitoring": true},
    "personality": {"domain": "LINUX32", "flags": []},
    "memoryPolicy": {"mode": "MPOL_INTERLEAVE", "nodes": "0-1", "flags": ["MPOL_F_STATIC_NODES"]}
  }
})json";

TEST(SpecParser, FullConfigReachesTheModel) {
  auto r = parse_spec(kFullConfig);
  ASSERT_TRUE(r) << r.error().message;
  const Spec &s = *r;
  EXPECT_EQ(s.oci_version, "1.3.0");

  ASSERT_TRUE(s.process);
  const Process &p = *s.process;
  EXPECT_TRUE(p.terminal);
  ASSERT_TRUE(p.console_size);
  EXPECT_EQ(p.console_size->height, 24u);
  EXPECT_EQ(p.console_size->width, 80u);
  EXPECT_EQ(p.user.uid, 1000u);
  EXPECT_EQ(p.user.gid, 1001u);
  EXPECT_EQ(p.user.umask, 18u);
  EXPECT_EQ(p.user.additional_gids, (std::vector<uint32_t>{5, 6}));
  EXPECT_EQ(p.user.username, "u");
  EXPECT_EQ(p.args, (std::vector<std::string>{"sh", "-c", "true"}));
  EXPECT_EQ(p.command_line, "cmd.exe");
  EXPECT_EQ(p.env, (std::vector<std::string>{"PATH=/bin", "EMPTY="}));
  EXPECT_EQ(p.cwd, "/work");
  ASSERT_TRUE(p.capabilities);
  EXPECT_EQ(p.capabilities->bounding, std::vector<std::string>{"CAP_KILL"});
  EXPECT_EQ(p.capabilities->effective, std::vector<std::string>{"CAP_CHOWN"});
  EXPECT_EQ(p.capabilities->inheritable, std::vector<std::string>{"CAP_FOWNER"});
  EXPECT_EQ(p.capabilities->permitted, std::vector<std::string>{"CAP_SETUID"});
  EXPECT_EQ(p.capabilities->ambient, std::vector<std::string>{"CAP_NET_RAW"});
  ASSERT_EQ(p.rlimits.size(), 2u);
  EXPECT_EQ(p.rlimits[0].type, "RLIMIT_NOFILE");
  EXPECT_EQ(p.rlimits[0].hard, 2048u);
  EXPECT_EQ(p.rlimits[0].soft, 1024u);
  EXPECT_EQ(p.rlimits[1].hard, UINT64_MAX);
  EXPECT_TRUE(p.no_new_privileges);
  EXPECT_EQ(p.apparmor_profile, "berth-default");
  EXPECT_EQ(p.oom_score_adj, -500);
  EXPECT_EQ(p.selinux_label, "system_u:system_r:container_t:s0");
  ASSERT_TRUE(p.io_priority);
  EXPECT_EQ(p.io_priority->klass, "IOPRIO_CLASS_BE");
  EXPECT_EQ(p.io_priority->priority, 4);
  ASSERT_TRUE(p.scheduler);
  EXPECT_EQ(p.scheduler->policy, "SCHED_DEADLINE");
  EXPECT_EQ(p.scheduler->nice, -5);
  EXPECT_EQ(p.scheduler->priority, 3);
  EXPECT_EQ(p.scheduler->flags, std::vector<std::string>{"SCHED_FLAG_RESET_ON_FORK"});
  EXPECT_EQ(p.scheduler->runtime, 100u);
  EXPECT_EQ(p.scheduler->deadline, 200u);
  EXPECT_EQ(p.scheduler->period, 300u);
  ASSERT_TRUE(p.exec_cpu_affinity);
  EXPECT_EQ(p.exec_cpu_affinity->initial, "0-3,7");
  EXPECT_EQ(p.exec_cpu_affinity->final, "1");

  ASSERT_TRUE(s.root);
  EXPECT_EQ(s.root->path, "rootfs");
  EXPECT_TRUE(s.root->readonly);
  EXPECT_EQ(s.hostname, "box");
  EXPECT_EQ(s.domainname, "example.org");

  ASSERT_EQ(s.mounts.size(), 2u);
  EXPECT_EQ(s.mounts[0].destination, "/proc");
  EXPECT_EQ(s.mounts[0].type, "proc");
  EXPECT_EQ(s.mounts[0].source, "proc");
  EXPECT_TRUE(s.mounts[0].options.empty());
  EXPECT_EQ(s.mounts[1].options, (std::vector<std::string>{"rbind", "idmap"}));
  ASSERT_EQ(s.mounts[1].uid_mappings.size(), 1u);
  EXPECT_EQ(s.mounts[1].uid_mappings[0].host_id, 100000u);
  EXPECT_EQ(s.mounts[1].uid_mappings[0].size, 65536u);
  ASSERT_EQ(s.mounts[1].gid_mappings.size(), 1u);
  EXPECT_EQ(s.mounts[1].gid_mappings[0].host_id, 200000u);

  ASSERT_TRUE(s.hooks);
  ASSERT_EQ(s.hooks->prestart.size(), 1u);
  EXPECT_EQ(s.hooks->prestart[0].path, "/bin/pre");
  EXPECT_EQ(s.hooks->prestart[0].args, (std::vector<std::string>{"pre", "a"}));
  EXPECT_EQ(s.hooks->prestart[0].env, std::vector<std::string>{"A=1"});
  EXPECT_EQ(s.hooks->prestart[0].timeout, 5);
  ASSERT_EQ(s.hooks->create_runtime.size(), 1u);
  EXPECT_EQ(s.hooks->create_runtime[0].path, "/bin/cr");
  EXPECT_FALSE(s.hooks->create_runtime[0].timeout);
  ASSERT_EQ(s.hooks->create_container.size(), 1u);
  EXPECT_EQ(s.hooks->create_container[0].path, "/bin/cc");
  ASSERT_EQ(s.hooks->start_container.size(), 1u);
  EXPECT_EQ(s.hooks->start_container[0].path, "/bin/sc");
  ASSERT_EQ(s.hooks->poststart.size(), 1u);
  EXPECT_EQ(s.hooks->poststart[0].path, "/bin/ps");
  ASSERT_EQ(s.hooks->poststop.size(), 2u);
  EXPECT_EQ(s.hooks->poststop[1].path, "/bin/pst2");

  EXPECT_EQ(s.annotations, (std::map<std::string, std::string>{{"org.example.key", "value"}}));

  ASSERT_TRUE(s.linux);
  const Linux &l = *s.linux;
  ASSERT_EQ(l.namespaces.size(), 8u);
  EXPECT_EQ(l.namespaces[0].type, NamespaceType::Pid);
  EXPECT_EQ(l.namespaces[1].type, NamespaceType::Network);
  EXPECT_EQ(l.namespaces[1].path, "/var/run/netns/n1");
  EXPECT_EQ(l.namespaces[7].type, NamespaceType::Time);
  ASSERT_NE(l.find_namespace(NamespaceType::Cgroup), nullptr);
  ASSERT_EQ(l.uid_mappings.size(), 1u);
  EXPECT_EQ(l.uid_mappings[0].container_id, 0u);
  EXPECT_EQ(l.uid_mappings[0].host_id, 1000u);
  EXPECT_EQ(l.uid_mappings[0].size, 1u);
  ASSERT_EQ(l.gid_mappings.size(), 1u);
  EXPECT_EQ(l.gid_mappings[0].size, 2u);
  ASSERT_EQ(l.time_offsets.size(), 2u);
  EXPECT_EQ(l.time_offsets.at("monotonic").secs, -3600);
  EXPECT_EQ(l.time_offsets.at("monotonic").nanosecs, 5u);
  EXPECT_EQ(l.time_offsets.at("boottime").secs, 7);

  ASSERT_EQ(l.devices.size(), 2u);
  EXPECT_EQ(l.devices[0].type, 'c');
  EXPECT_EQ(l.devices[0].path, "/dev/fuse");
  EXPECT_EQ(l.devices[0].major, 10);
  EXPECT_EQ(l.devices[0].minor, 229);
  EXPECT_EQ(l.devices[0].file_mode, 0666u);
  EXPECT_EQ(l.devices[0].uid, 0u);
  EXPECT_EQ(l.devices[0].gid, 0u);
  EXPECT_EQ(l.devices[1].type, 'p');
  EXPECT_FALSE(l.devices[1].file_mode);

  ASSERT_EQ(l.net_devices.size(), 2u);
  EXPECT_EQ(l.net_devices.at("eth1").name, "ctr0");
  EXPECT_EQ(l.net_devices.at("dummy0").name, "");
  EXPECT_EQ(l.cgroups_path, "/berth/c1");

  ASSERT_TRUE(l.resources);
  const Resources &res = *l.resources;
  ASSERT_EQ(res.devices.size(), 2u);
  EXPECT_FALSE(res.devices[0].allow);
  EXPECT_EQ(res.devices[0].access, "rwm");
  EXPECT_FALSE(res.devices[0].major);
  EXPECT_TRUE(res.devices[1].allow);
  EXPECT_EQ(res.devices[1].type, "c");
  EXPECT_EQ(res.devices[1].major, 1);
  EXPECT_EQ(res.devices[1].minor, 3);
  ASSERT_TRUE(res.memory);
  EXPECT_EQ(res.memory->limit, 536870912);
  EXPECT_EQ(res.memory->reservation, 268435456);
  EXPECT_EQ(res.memory->swap, -1);
  EXPECT_EQ(res.memory->kernel, 1);
  EXPECT_EQ(res.memory->kernel_tcp, 2);
  EXPECT_EQ(res.memory->swappiness, 60u);
  EXPECT_EQ(res.memory->disable_oom_killer, true);
  EXPECT_EQ(res.memory->use_hierarchy, false);
  EXPECT_EQ(res.memory->check_before_update, true);
  ASSERT_TRUE(res.cpu);
  EXPECT_EQ(res.cpu->shares, 1024u);
  EXPECT_EQ(res.cpu->quota, 50000);
  EXPECT_EQ(res.cpu->burst, 1000u);
  EXPECT_EQ(res.cpu->period, 100000u);
  EXPECT_EQ(res.cpu->realtime_runtime, 950);
  EXPECT_EQ(res.cpu->realtime_period, 1000u);
  EXPECT_EQ(res.cpu->cpus, "0-1");
  EXPECT_EQ(res.cpu->mems, "0");
  EXPECT_EQ(res.cpu->idle, 1);
  EXPECT_EQ(res.pids_limit, 32);
  ASSERT_TRUE(res.block_io);
  EXPECT_EQ(res.block_io->weight, 500);
  EXPECT_EQ(res.block_io->leaf_weight, 300);
  ASSERT_EQ(res.block_io->weight_device.size(), 1u);
  EXPECT_EQ(res.block_io->weight_device[0].major, 8);
  EXPECT_EQ(res.block_io->weight_device[0].weight, 600);
  EXPECT_EQ(res.block_io->weight_device[0].leaf_weight, 100);
  ASSERT_EQ(res.block_io->throttle_read_bps_device.size(), 1u);
  EXPECT_EQ(res.block_io->throttle_read_bps_device[0].rate, 1048576u);
  ASSERT_EQ(res.block_io->throttle_write_bps_device.size(), 1u);
  EXPECT_EQ(res.block_io->throttle_write_bps_device[0].minor, 1);
  ASSERT_EQ(res.block_io->throttle_read_iops_device.size(), 1u);
  EXPECT_EQ(res.block_io->throttle_read_iops_device[0].rate, 3u);
  ASSERT_EQ(res.block_io->throttle_write_iops_device.size(), 1u);
  EXPECT_EQ(res.block_io->throttle_write_iops_device[0].rate, 4u);
  ASSERT_EQ(res.hugepage_limits.size(), 1u);
  EXPECT_EQ(res.hugepage_limits[0].page_size, "2MB");
  EXPECT_EQ(res.hugepage_limits[0].limit, 209715200u);
  ASSERT_TRUE(res.network);
  EXPECT_EQ(res.network->class_id, 1048577u);
  ASSERT_EQ(res.network->priorities.size(), 1u);
  EXPECT_EQ(res.network->priorities[0].name, "eth0");
  EXPECT_EQ(res.network->priorities[0].priority, 500u);
  ASSERT_EQ(res.rdma.size(), 1u);
  EXPECT_EQ(res.rdma.at("mlx5_1").hca_handles, 3u);
  EXPECT_EQ(res.rdma.at("mlx5_1").hca_objects, 10000u);
  EXPECT_EQ(res.unified, (std::map<std::string, std::string>{{"memory.high", "1G"}}));

  EXPECT_EQ(l.rootfs_propagation, "rslave");
  EXPECT_EQ(l.masked_paths, std::vector<std::string>{"/proc/kcore"});
  EXPECT_EQ(l.readonly_paths, std::vector<std::string>{"/proc/sys"});
  EXPECT_EQ(l.mount_label, "system_u:object_r:container_file_t:s0");
  EXPECT_EQ(l.sysctl, (std::map<std::string, std::string>{{"net.ipv4.ip_forward", "1"}}));

  ASSERT_TRUE(l.seccomp);
  EXPECT_EQ(l.seccomp->default_action, "SCMP_ACT_ERRNO");
  EXPECT_EQ(l.seccomp->default_errno_ret, 1u);
  EXPECT_EQ(l.seccomp->architectures, std::vector<std::string>{"SCMP_ARCH_X86_64"});
  EXPECT_EQ(l.seccomp->flags, std::vector<std::string>{"SECCOMP_FILTER_FLAG_LOG"});
  EXPECT_EQ(l.seccomp->listener_path, "/run/seccomp.sock");
  EXPECT_EQ(l.seccomp->listener_metadata, "meta");
  ASSERT_EQ(l.seccomp->syscalls.size(), 2u);
  EXPECT_EQ(l.seccomp->syscalls[0].names, (std::vector<std::string>{"read", "write"}));
  EXPECT_EQ(l.seccomp->syscalls[0].action, "SCMP_ACT_ALLOW");
  EXPECT_FALSE(l.seccomp->syscalls[0].errno_ret);
  EXPECT_EQ(l.seccomp->syscalls[1].errno_ret, 38u);
  ASSERT_EQ(l.seccomp->syscalls[1].args.size(), 1u);
  EXPECT_EQ(l.seccomp->syscalls[1].args[0].index, 0u);
  EXPECT_EQ(l.seccomp->syscalls[1].args[0].value, 255u);
  EXPECT_EQ(l.seccomp->syscalls[1].args[0].value_two, 8u);
  EXPECT_EQ(l.seccomp->syscalls[1].args[0].op, "SCMP_CMP_MASKED_EQ");

  ASSERT_TRUE(l.intel_rdt);
  EXPECT_EQ(l.intel_rdt->clos_id, "guaranteed");
  EXPECT_EQ(l.intel_rdt->l3_cache_schema, "L3:0=7f");
  EXPECT_EQ(l.intel_rdt->mem_bw_schema, "MB:0=20");
  EXPECT_EQ(l.intel_rdt->schemata, std::vector<std::string>{"L2:0=3"});
  EXPECT_TRUE(l.intel_rdt->enable_monitoring);
  ASSERT_TRUE(l.personality);
  EXPECT_EQ(l.personality->domain, "LINUX32");
  EXPECT_TRUE(l.personality->flags.empty());
  ASSERT_TRUE(l.memory_policy);
  EXPECT_EQ(l.memory_policy->mode, "MPOL_INTERLEAVE");
  EXPECT_EQ(l.memory_policy->nodes, "0-1");
  EXPECT_EQ(l.memory_policy->flags, std::vector<std::string>{"MPOL_F_STATIC_NODES"});
}

TEST(SpecParser, MinimalConfig) {
  auto r = parse_spec(R"({"ociVersion": "1.0.2"})");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(r->process);
  EXPECT_FALSE(r->root);
  EXPECT_FALSE(r->linux);
  EXPECT_FALSE(r->hooks);
}

TEST(SpecParser, UnknownFieldsAndNullsAreIgnored) {
  auto r = parse_spec(R"({
    "ociVersion": "1.3.0", "future": {"x": [1, 2]}, "windows": {"layerFolders": ["a"]},
    "hostname": null,
    "process": {"args": ["sh"], "cwd": "/", "shinyNew": true, "user": {"uid": 1, "extra": "x"}},
    "linux": {"namespaces": [{"type": "pid", "flags": 3}], "resources": {"memory": {"limit": 1, "zz": 1}},
              "somethingElse": 1}
  })");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->process->user.uid, 1u);
  EXPECT_EQ(r->linux->resources->memory->limit, 1);
}

// A base config that parses; each error case patches one place in it.
json base_config() {
  return json::parse(R"({
    "ociVersion": "1.3.0",
    "root": {"path": "rootfs"},
    "process": {"args": ["sh"], "cwd": "/"},
    "hostname": "h",
    "linux": {"namespaces": [{"type": "pid"}, {"type": "mount"}, {"type": "uts"}]}
  })");
}

struct ErrorCase {
  const char *name;
  const char *pointer;  // JSON pointer to set
  const char *value;    // JSON text, or nullptr to remove the field
  const char *message;
};

const ErrorCase kErrorCases[] = {
    {"missing ociVersion", "/ociVersion", nullptr, "ociVersion: required field missing"},
    {"ociVersion type", "/ociVersion", "1", "ociVersion: expected a string"},
    {"ociVersion major", "/ociVersion", R"("2.0.0")", R"(ociVersion: unsupported version "2.0.0", expected 1.x)"},
    {"root type", "/root", "[]", "root: expected an object"},
    {"root path missing", "/root/path", nullptr, "root.path: required field missing"},
    {"root path empty", "/root/path", R"("")", "root.path: must not be empty"},
    {"root readonly type", "/root/readonly", R"("yes")", "root.readonly: expected a boolean"},
    {"args type", "/process/args", R"("sh")", "process.args: expected an array of strings"},
    {"args element", "/process/args", R"(["sh", 1])", "process.args[1]: expected a string"},
    {"args missing", "/process/args", nullptr, "process.args: required field missing"},
    {"args empty", "/process/args", "[]", "process.args: must not be empty"},
    {"cwd missing", "/process/cwd", nullptr, "process.cwd: required field missing"},
    {"cwd relative", "/process/cwd", R"("work")", R"(process.cwd: must be an absolute path, got "work")"},
    {"env form", "/process/env", R"(["A=1", "B"])", R"(process.env[1]: must be in the form KEY=VALUE, got "B")"},
    {"terminal type", "/process/terminal", "1", "process.terminal: expected a boolean"},
    {"uid negative", "/process/user", R"({"uid": -1})", "process.user.uid: must be between 0 and 4294967295, got -1"},
    {"uid too large", "/process/user", R"({"uid": 4294967296})",
     "process.user.uid: must be between 0 and 4294967295, got 4294967296"},
    {"uid float", "/process/user", R"({"uid": 1.5})", "process.user.uid: expected an integer, got 1.5"},
    {"uid string", "/process/user", R"({"uid": "0"})", "process.user.uid: expected an integer"},
    {"additional gid", "/process/user", R"({"additionalGids": [1, -2]})",
     "process.user.additionalGids[1]: must be between 0 and 4294967295, got -2"},
    {"console size", "/process/consoleSize", R"({"height": 1})", "process.consoleSize.width: required field missing"},
    {"capabilities type", "/process/capabilities", R"({"bounding": "CAP_KILL"})",
     "process.capabilities.bounding: expected an array of strings"},
    {"rlimit type unknown", "/process/rlimits", R"([{"type": "RLIMIT_FOO", "soft": 1, "hard": 1}])",
     R"(process.rlimits[0].type: unknown rlimit type "RLIMIT_FOO")"},
    {"rlimit soft missing", "/process/rlimits", R"([{"type": "RLIMIT_NOFILE", "hard": 1}])",
     "process.rlimits[0].soft: required field missing"},
    {"rlimit soft above hard", "/process/rlimits", R"([{"type": "RLIMIT_NOFILE", "soft": 2, "hard": 1}])",
     "process.rlimits[0]: soft limit 2 is above hard limit 1"},
    {"rlimit duplicate", "/process/rlimits",
     R"([{"type": "RLIMIT_NOFILE", "soft": 1, "hard": 1}, {"type": "RLIMIT_NOFILE", "soft": 1, "hard": 1}])",
     R"(process.rlimits[1].type: duplicate rlimit type "RLIMIT_NOFILE")"},
    {"oomScoreAdj range", "/process/oomScoreAdj", "1001",
     "process.oomScoreAdj: must be between -1000 and 1000, got 1001"},
    {"ioPriority class", "/process/ioPriority", R"({"class": "IOPRIO_CLASS_X"})",
     R"(process.ioPriority.class: unknown I/O priority class "IOPRIO_CLASS_X")"},
    {"ioPriority range", "/process/ioPriority", R"({"class": "IOPRIO_CLASS_BE", "priority": 8})",
     "process.ioPriority.priority: must be between 0 and 7, got 8"},
    {"scheduler policy", "/process/scheduler", R"({"policy": "SCHED_FAST"})",
     R"(process.scheduler.policy: unknown scheduler policy "SCHED_FAST")"},
    {"scheduler flag", "/process/scheduler", R"({"policy": "SCHED_OTHER", "flags": ["X"]})",
     R"(process.scheduler.flags[0]: unknown scheduler flag "X")"},
    {"scheduler nice", "/process/scheduler", R"({"policy": "SCHED_OTHER", "nice": 20})",
     "process.scheduler.nice: must be between -20 and 19, got 20"},
    {"cpu affinity", "/process/execCPUAffinity", R"({"initial": "0-3;x"})",
     R"(process.execCPUAffinity.initial: invalid CPU list "0-3;x")"},
    {"mounts type", "/mounts", "{}", "mounts: expected an array"},
    {"mount destination missing", "/mounts", R"([{"type": "proc"}])", "mounts[0].destination: required field missing"},
    {"mount destination relative", "/mounts", R"([{"destination": "proc"}])",
     R"(mounts[0].destination: must be an absolute path, got "proc")"},
    {"mount options", "/mounts", R"([{"destination": "/a"}, {"destination": "/b", "options": "ro"}])",
     "mounts[1].options: expected an array of strings"},
    {"mount mapping size", "/mounts",
     R"([{"destination": "/a", "uidMappings": [{"containerID": 0, "hostID": 1, "size": 0}], "gidMappings": []}])",
     "mounts[0].uidMappings[0].size: must be greater than 0"},
    {"mount mappings alone", "/mounts",
     R"([{"destination": "/a", "uidMappings": [{"containerID": 0, "hostID": 1, "size": 1}]}])",
     "mounts[0]: uidMappings and gidMappings must be given together"},
    {"hook path relative", "/hooks", R"({"poststop": [{"path": "bin/x"}]})",
     R"(hooks.poststop[0].path: must be an absolute path, got "bin/x")"},
    {"hook path missing", "/hooks", R"({"createRuntime": [{"args": []}]})",
     "hooks.createRuntime[0].path: required field missing"},
    {"hook timeout", "/hooks", R"({"prestart": [{"path": "/x", "timeout": 0}]})",
     "hooks.prestart[0].timeout: must be greater than 0, got 0"},
    {"annotations value", "/annotations", R"({"a": 1})", "annotations.a: expected a string"},
    {"annotations dotted key", "/annotations", R"({"org.x": true})", R"(annotations["org.x"]: expected a string)"},
    {"hostname type", "/hostname", "7", "hostname: expected a string"},
    {"hostname without uts", "/linux/namespaces", R"([{"type": "pid"}])",
     "hostname: requires a UTS namespace in linux.namespaces"},
    {"linux type", "/linux", "[]", "linux: expected an object"},
    {"namespace unknown", "/linux/namespaces/2", R"({"type": "pdi"})",
     R"(linux.namespaces[2].type: unknown namespace type "pdi")"},
    {"namespace duplicate", "/linux/namespaces/2", R"({"type": "pid"})",
     R"(linux.namespaces[2].type: duplicate namespace type "pid")"},
    {"namespace type missing", "/linux/namespaces/0", R"({"path": "/proc/1/ns/pid"})",
     "linux.namespaces[0].type: required field missing"},
    {"namespace path relative", "/linux/namespaces/0", R"({"type": "pid", "path": "ns"})",
     R"(linux.namespaces[0].path: must be an absolute path, got "ns")"},
    {"uid mappings without userns", "/linux/uidMappings", R"([{"containerID": 0, "hostID": 0, "size": 1}])",
     "linux.uidMappings: requires a user namespace in linux.namespaces"},
    {"gid mappings without userns", "/linux/gidMappings", R"([{"containerID": 0, "hostID": 0, "size": 1}])",
     "linux.gidMappings: requires a user namespace in linux.namespaces"},
    {"mapping field missing", "/linux/uidMappings", R"([{"containerID": 0, "size": 1}])",
     "linux.uidMappings[0].hostID: required field missing"},
    {"time offsets without timens", "/linux/timeOffsets", R"({"monotonic": {"secs": 1}})",
     "linux.timeOffsets: requires a time namespace in linux.namespaces"},
    {"time offsets clock", "/linux/timeOffsets", R"({"realtime": {"secs": 1}})",
     R"(linux.timeOffsets.realtime: unknown clock "realtime", expected monotonic or boottime)"},
    {"time offsets nanosecs", "/linux/timeOffsets", R"({"boottime": {"nanosecs": 1000000000}})",
     "linux.timeOffsets.boottime.nanosecs: must be below 1000000000, got 1000000000"},
    {"device type", "/linux/devices", R"([{"type": "x", "path": "/dev/x", "major": 1, "minor": 1}])",
     R"(linux.devices[0].type: unknown device type "x", expected one of c, b, u, p)"},
    {"device type missing", "/linux/devices", R"([{"path": "/dev/x"}])",
     "linux.devices[0].type: required field missing"},
    {"device path missing", "/linux/devices", R"([{"type": "c", "major": 1, "minor": 1}])",
     "linux.devices[0].path: required field missing"},
    {"device path relative", "/linux/devices", R"([{"type": "c", "path": "dev/x", "major": 1, "minor": 1}])",
     R"(linux.devices[0].path: must be an absolute path, got "dev/x")"},
    {"device major missing", "/linux/devices", R"([{"type": "b", "path": "/dev/x", "minor": 1}])",
     "linux.devices[0].major: required field missing"},
    {"device major negative", "/linux/devices", R"([{"type": "b", "path": "/dev/x", "major": -1, "minor": 1}])",
     "linux.devices[0].major: must not be negative, got -1"},
    {"device mode", "/linux/devices", R"([{"type": "c", "path": "/dev/x", "major": 1, "minor": 1, "fileMode": 70000}])",
     "linux.devices[0].fileMode: must hold permission bits only (at most 07777), got 0210560"},
    {"net device without netns", "/linux/netDevices", R"({"eth0": {}})",
     "linux.netDevices: requires a network namespace in linux.namespaces"},
    {"net device name", "/linux/netDevices", R"({"eth0": {"name": "a/b"}})",
     R"(linux.netDevices.eth0.name: invalid network interface name "a/b")"},
    {"cgroupsPath type", "/linux/cgroupsPath", "[]", "linux.cgroupsPath: expected a string"},
    {"resources device rule access", "/linux/resources", R"({"devices": [{"allow": true, "access": "rwx"}]})",
     R"(linux.resources.devices[0].access: invalid device access "rwx", expected letters from "rwm")"},
    {"resources device rule allow", "/linux/resources", R"({"devices": [{"access": "r"}]})",
     "linux.resources.devices[0].allow: required field missing"},
    {"memory negative", "/linux/resources", R"({"memory": {"limit": -2}})",
     "linux.resources.memory.limit: must be -1 (unlimited) or a size in bytes, got -2"},
    {"memory swappiness", "/linux/resources", R"({"memory": {"swappiness": 101}})",
     "linux.resources.memory.swappiness: must be between 0 and 100, got 101"},
    {"cpu shares negative", "/linux/resources", R"({"cpu": {"shares": -1}})",
     "linux.resources.cpu.shares: must be between 0 and 18446744073709551615, got -1"},
    {"pids limit type", "/linux/resources", R"({"pids": {"limit": "max"}})",
     "linux.resources.pids.limit: expected an integer"},
    {"blkio weight", "/linux/resources", R"({"blockIO": {"weight": 70000}})",
     "linux.resources.blockIO.weight: must be between 0 and 65535, got 70000"},
    {"blkio throttle rate", "/linux/resources",
     R"({"blockIO": {"throttleWriteIOPSDevice": [{"major": 8, "minor": 0}]}})",
     "linux.resources.blockIO.throttleWriteIOPSDevice[0].rate: required field missing"},
    {"hugepage size", "/linux/resources", R"({"hugepageLimits": [{"pageSize": "2M", "limit": 1}]})",
     R"(linux.resources.hugepageLimits[0].pageSize: invalid page size "2M", expected a size like "2MB")"},
    {"network priority", "/linux/resources", R"({"network": {"priorities": [{"name": "eth0", "priority": -1}]}})",
     "linux.resources.network.priorities[0].priority: must be between 0 and 4294967295, got -1"},
    {"rdma", "/linux/resources", R"({"rdma": {"mlx5_1": {"hcaHandles": -3}}})",
     "linux.resources.rdma.mlx5_1.hcaHandles: must be between 0 and 4294967295, got -3"},
    {"unified", "/linux/resources", R"({"unified": {"memory.max": 5}})",
     R"(linux.resources.unified["memory.max"]: expected a string)"},
    {"rootfs propagation", "/linux/rootfsPropagation", R"("recursive")",
     R"(linux.rootfsPropagation: unknown rootfs propagation "recursive")"},
    {"masked path relative", "/linux/maskedPaths", R"(["/proc/kcore", "proc/keys"])",
     R"(linux.maskedPaths[1]: must be an absolute path, got "proc/keys")"},
    {"readonly path relative", "/linux/readonlyPaths", R"(["sys"])",
     R"(linux.readonlyPaths[0]: must be an absolute path, got "sys")"},
    {"sysctl value", "/linux/sysctl", R"({"net.ipv4.ip_forward": 1})",
     R"(linux.sysctl["net.ipv4.ip_forward"]: expected a string)"},
    {"seccomp default action", "/linux/seccomp", R"({"defaultAction": "SCMP_ACT_MAYBE"})",
     R"(linux.seccomp.defaultAction: unknown seccomp action "SCMP_ACT_MAYBE")"},
    {"seccomp default action missing", "/linux/seccomp", R"({})",
     "linux.seccomp.defaultAction: required field missing"},
    {"seccomp syscall names", "/linux/seccomp",
     R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": [], "action": "SCMP_ACT_LOG"}]})",
     "linux.seccomp.syscalls[0].names: must not be empty"},
    {"seccomp op", "/linux/seccomp",
     R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["x"], "action": "SCMP_ACT_LOG", "args": [{"index": 0, "value": 1, "op": "EQ"}]}]})",
     R"(linux.seccomp.syscalls[0].args[0].op: unknown seccomp operator "EQ")"},
    {"seccomp arg index", "/linux/seccomp",
     R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["x"], "action": "SCMP_ACT_LOG", "args": [{"index": 6, "value": 1, "op": "SCMP_CMP_EQ"}]}]})",
     "linux.seccomp.syscalls[0].args[0].index: must be between 0 and 5, got 6"},
    {"seccomp notify needs listener", "/linux/seccomp", R"({"defaultAction": "SCMP_ACT_NOTIFY"})",
     "linux.seccomp.listenerPath: required when an action is SCMP_ACT_NOTIFY"},
    {"seccomp flag", "/linux/seccomp", R"({"defaultAction": "SCMP_ACT_ALLOW", "flags": ["TSYNC"]})",
     R"(linux.seccomp.flags[0]: unknown seccomp flag "TSYNC")"},
    {"seccomp arch", "/linux/seccomp", R"({"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["x86_64"]})",
     R"(linux.seccomp.architectures[0]: unknown seccomp architecture "x86_64")"},
    {"intelRdt closID", "/linux/intelRdt", R"({"closID": "../x"})", R"(linux.intelRdt.closID: invalid CLOS id "../x")"},
    {"personality domain", "/linux/personality", R"({"domain": "LINUX64"})",
     R"(linux.personality.domain: unknown personality domain "LINUX64")"},
    {"memory policy mode", "/linux/memoryPolicy", R"({"mode": "MPOL_X"})",
     R"(linux.memoryPolicy.mode: unknown memory policy mode "MPOL_X")"},
    {"memory policy flag", "/linux/memoryPolicy", R"({"mode": "MPOL_BIND", "flags": ["F"]})",
     R"(linux.memoryPolicy.flags[0]: unknown memory policy flag "F")"},
};

void PrintTo(const ErrorCase &c, std::ostream *os) { *os << c.name; }

class SpecParserError : public testing::TestWithParam<ErrorCase> {};

TEST_P(SpecParserError, NamesPathAndProblem) {
  const ErrorCase &c = GetParam();
  json doc = base_config();
  json::json_pointer ptr(c.pointer);
  if (c.value)
    doc[ptr] = json::parse(c.value);
  else
    doc[ptr.parent_pointer()].erase(ptr.back());
  auto r = parse_spec(doc.dump());
  ASSERT_FALSE(r) << c.name << ": accepted " << doc.dump();
  EXPECT_EQ(r.error().message, c.message) << c.name;
  EXPECT_EQ(r.error().code, 0);
}

INSTANTIATE_TEST_SUITE_P(Table, SpecParserError, testing::ValuesIn(kErrorCases),
                         [](const testing::TestParamInfo<ErrorCase> &info) {
                           std::string name = info.param.name;
                           for (char &ch : name)
                             if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return name;
                         });

TEST(SpecParser, TheBaseConfigOfTheErrorTableParses) {
  auto r = parse_spec(base_config().dump());
  ASSERT_TRUE(r) << r.error().message;
}

TEST(SpecParser, UserNamespaceWithoutMappingsIsAllowed) {
  json doc = base_config();
  doc["linux"]["namespaces"].push_back({{"type", "user"}});
  auto r = parse_spec(doc.dump());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->linux->uid_mappings.empty());
}

TEST(SpecParser, TimeOffsetsForAJoinedTimeNamespaceAreRejected) {
  json doc = base_config();
  doc["linux"]["namespaces"].push_back({{"type", "time"}, {"path", "/proc/1/ns/time"}});
  doc["linux"]["timeOffsets"] = {{"monotonic", {{"secs", 1}}}};
  auto r = parse_spec(doc.dump());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "linux.timeOffsets: cannot be set when joining an existing time namespace (/proc/1/ns/time)");
}

TEST(SpecParser, FifoDevicesNeedNoNumbers) {
  json doc = base_config();
  doc["linux"]["devices"] =
      json::parse(R"([{"type": "p", "path": "/dev/p"}, {"type": "u", "path": "/dev/u", "major": 1, "minor": 2}])");
  auto r = parse_spec(doc.dump());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->linux->devices[1].type, 'u');
}

TEST(SpecParser, MalformedJsonGivesLineAndColumn) {
  auto r = parse_spec("{\n  \"ociVersion\": \"1.3.0\",\n  \"process\": ,\n}");
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().message.starts_with("invalid JSON at line 3, column 14: ")) << r.error().message;
  EXPECT_EQ(r.error().message.find("json.exception"), std::string::npos) << r.error().message;
}

TEST(SpecParser, MalformedJsonAtEnd) {
  auto r = parse_spec("{\"ociVersion\": \"1.3.0\"");
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().message.starts_with("invalid JSON at line 1, column ")) << r.error().message;
}

TEST(SpecParser, MalformedJsonMessageStaysPrintable) {
  auto r = parse_spec("{\"ociVersion\": \"\xff\"}");
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().message.starts_with("invalid JSON at line 1, column 17: ")) << r.error().message;
  EXPECT_NE(r.error().message.find("\\xff"), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().message.find('\xff'), std::string::npos) << r.error().message;
}

TEST(SpecParser, DeepNestingIsAnErrorNotACrash) {
  auto r = parse_spec(std::string(100000, '['));
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().message.starts_with("invalid JSON at line 1, column 100001: ")) << r.error().message;
}

TEST(SpecParser, EmptyInput) {
  auto r = parse_spec("");
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().message.starts_with("invalid JSON at line 1, column 1: ")) << r.error().message;
}

TEST(SpecParser, TopLevelMustBeAnObject) {
  auto r = parse_spec("[1, 2]");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "invalid config: expected a JSON object at the top level");
}

TEST(SpecParser, NamespaceNamesRoundTrip) {
  for (auto t : {NamespaceType::Pid, NamespaceType::Network, NamespaceType::Mount, NamespaceType::Ipc,
                 NamespaceType::Uts, NamespaceType::User, NamespaceType::Cgroup, NamespaceType::Time})
    EXPECT_EQ(namespace_type_from_name(namespace_type_name(t)), t);
  EXPECT_EQ(namespace_type_name(NamespaceType::Network), "network");
  EXPECT_EQ(namespace_type_name(NamespaceType::Time), "time");
  EXPECT_FALSE(namespace_type_from_name("net"));
  EXPECT_FALSE(namespace_type_from_name(""));
}

class LoadSpec : public testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-spec-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    ::unlink((dir_ + "/config.json").c_str());
    ::rmdir(dir_.c_str());
  }
  void write(const std::string &text) {
    int fd = ::open((dir_ + "/config.json").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
    ::close(fd);
  }
  std::string dir_;
};

TEST_F(LoadSpec, ReadsAFile) {
  write(default_spec(false).dump(2));
  auto r = load_spec(dir_ + "/config.json");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->hostname, "berth");
}

TEST_F(LoadSpec, MissingFileNamesThePathAndErrno) {
  auto r = load_spec(dir_ + "/config.json");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ENOENT);
  EXPECT_EQ(r.error().message, "open " + dir_ + "/config.json: No such file or directory");
}

TEST_F(LoadSpec, ErrorsArePrefixedWithTheFileName) {
  write(R"({"ociVersion": "1.3.0", "process": {"args": "sh", "cwd": "/"}})");
  auto r = load_spec(dir_ + "/config.json");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "config.json: process.args: expected an array of strings");
}

TEST_F(LoadSpec, SyntaxErrorsArePrefixedWithTheFileName) {
  write("{\n  \"ociVersion\": 1.3.0\n}");
  auto r = load_spec(dir_ + "/config.json");
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().message.starts_with("config.json: invalid JSON at line 2, column ")) << r.error().message;
}

}  // namespace
}  // namespace berth
