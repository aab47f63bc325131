// default_spec must stay what `runc spec` writes: the expected documents below
// are runc 1.1.5's output, copied verbatim (hostID 0 because it ran as root).
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "libcontainer/spec_parser.h"

namespace berth {
namespace {

constexpr const char *kRuncSpec = R"json({
 "ociVersion": "1.0.2-dev",
 "process": {
  "terminal": true,
  "user": {
   "uid": 0,
   "gid": 0
  },
  "args": [
   "sh"
  ],
  "env": [
   "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
   "TERM=xterm"
  ],
  "cwd": "/",
  "capabilities": {
   "bounding": [
    "CAP_AUDIT_WRITE",
    "CAP_KILL",
    "CAP_NET_BIND_SERVICE"
   ],
   "effective": [
    "CAP_AUDIT_WRITE",
    "CAP_KILL",
    "CAP_NET_BIND_SERVICE"
   ],
   "permitted": [
    "CAP_AUDIT_WRITE",
    "CAP_KILL",
    "CAP_NET_BIND_SERVICE"
   ],
   "ambient": [
    "CAP_AUDIT_WRITE",
    "CAP_KILL",
    "CAP_NET_BIND_SERVICE"
   ]
  },
  "rlimits": [
   {
    "type": "RLIMIT_NOFILE",
    "hard": 1024,
    "soft": 1024
   }
  ],
  "noNewPrivileges": true
 },
 "root": {
  "path": "rootfs",
  "readonly": true
 },
 "hostname": "runc",
 "mounts": [
  {
   "destination": "/proc",
   "type": "proc",
   "source": "proc"
  },
  {
   "destination": "/dev",
   "type": "tmpfs",
   "source": "tmpfs",
   "options": [
    "nosuid",
    "strictatime",
    "mode=755",
    "size=65536k"
   ]
  },
  {
   "destination": "/dev/pts",
   "type": "devpts",
   "source": "devpts",
   "options": [
    "nosuid",
    "noexec",
    "newinstance",
    "ptmxmode=0666",
    "mode=0620",
    "gid=5"
   ]
  },
  {
   "destination": "/dev/shm",
   "type": "tmpfs",
   "source": "shm",
   "options": [
    "nosuid",
    "noexec",
    "nodev",
    "mode=1777",
    "size=65536k"
   ]
  },
  {
   "destination": "/dev/mqueue",
   "type": "mqueue",
   "source": "mqueue",
   "options": [
    "nosuid",
    "noexec",
    "nodev"
   ]
  },
  {
   "destination": "/sys",
   "type": "sysfs",
   "source": "sysfs",
   "options": [
    "nosuid",
    "noexec",
    "nodev",
    "ro"
   ]
  },
  {
   "destination": "/sys/fs/cgroup",
   "type": "cgroup",
   "source": "cgroup",
   "options": [
    "nosuid",
    "noexec",
    "nodev",
    "relatime",
    "ro"
   ]
  }
 ],
 "linux": {
  "resources": {
   "devices": [
    {
     "allow": false,
     "access": "rwm"
    }
   ]
  },
  "namespaces": [
   {
    "type": "pid"
   },
   {
    "type": "network"
   },
   {
    "type": "ipc"
   },
   {
    "type": "uts"
   },
   {
    "type": "mount"
   }
  ],
  "maskedPaths": [
   "/proc/acpi",
   "/proc/asound",
   "/proc/kcore",
   "/proc/keys",
   "/proc/latency_stats",
   "/proc/timer_list",
   "/proc/timer_stats",
   "/proc/sched_debug",
   "/sys/firmware",
   "/proc/scsi"
  ],
  "readonlyPaths": [
   "/proc/bus",
   "/proc/fs",
   "/proc/irq",
   "/proc/sys",
   "/proc/sysrq-trigger"
  ]
 }
})json";

constexpr const char *kRuncSpecRootless = R"json({
 "ociVersion": "1.0.2-dev",
 "process": {
  "terminal": true,
  "user": {
   "uid": 0,
   "gid": 0
  },
  "args": [
   "sh"
  ],
  "env": [
   "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
   "TERM=xterm"
  ],
  "cwd": "/",
  "capabilities": {
   "bounding": [
    "CAP_AUDIT_WRITE",
    "CAP_KILL",
    "CAP_NET_BIND_SERVICE"
   ],
   "effective": [
    "CAP_AUDIT_WRITE",
    "CAP_KILL",
    "CAP_NET_BIND_SERVICE"
   ],
   "permitted": [
    "CAP_AUDIT_WRITE",
    "CAP_KILL",
    "CAP_NET_BIND_SERVICE"
   ],
   "ambient": [
    "CAP_AUDIT_WRITE",
    "CAP_KILL",
    "CAP_NET_BIND_SERVICE"
   ]
  },
  "rlimits": [
   {
    "type": "RLIMIT_NOFILE",
    "hard": 1024,
    "soft": 1024
   }
  ],
  "noNewPrivileges": true
 },
 "root": {
  "path": "rootfs",
  "readonly": true
 },
 "hostname": "runc",
 "mounts": [
  {
   "destination": "/proc",
   "type": "proc",
   "source": "proc"
  },
  {
   "destination": "/dev",
   "type": "tmpfs",
   "source": "tmpfs",
   "options": [
    "nosuid",
    "strictatime",
    "mode=755",
    "size=65536k"
   ]
  },
  {
   "destination": "/dev/pts",
   "type": "devpts",
   "source": "devpts",
   "options": [
    "nosuid",
    "noexec",
    "newinstance",
    "ptmxmode=0666",
    "mode=0620"
   ]
  },
  {
   "destination": "/dev/shm",
   "type": "tmpfs",
   "source": "shm",
   "options": [
    "nosuid",
    "noexec",
    "nodev",
    "mode=1777",
    "size=65536k"
   ]
  },
  {
   "destination": "/dev/mqueue",
   "type": "mqueue",
   "source": "mqueue",
   "options": [
    "nosuid",
    "noexec",
    "nodev"
   ]
  },
  {
   "destination": "/sys",
   "type": "none",
   "source": "/sys",
   "options": [
    "rbind",
    "nosuid",
    "noexec",
    "nodev",
    "ro"
   ]
  },
  {
   "destination": "/sys/fs/cgroup",
   "type": "cgroup",
   "source": "cgroup",
   "options": [
    "nosuid",
    "noexec",
    "nodev",
    "relatime",
    "ro"
   ]
  }
 ],
 "linux": {
  "uidMappings": [
   {
    "containerID": 0,
    "hostID": 0,
    "size": 1
   }
  ],
  "gidMappings": [
   {
    "containerID": 0,
    "hostID": 0,
    "size": 1
   }
  ],
  "namespaces": [
   {
    "type": "pid"
   },
   {
    "type": "ipc"
   },
   {
    "type": "uts"
   },
   {
    "type": "mount"
   },
   {
    "type": "user"
   }
  ],
  "maskedPaths": [
   "/proc/acpi",
   "/proc/asound",
   "/proc/kcore",
   "/proc/keys",
   "/proc/latency_stats",
   "/proc/timer_list",
   "/proc/timer_stats",
   "/proc/sched_debug",
   "/sys/firmware",
   "/proc/scsi"
  ],
  "readonlyPaths": [
   "/proc/bus",
   "/proc/fs",
   "/proc/irq",
   "/proc/sys",
   "/proc/sysrq-trigger"
  ]
 }
})json";

// runc's document with the two values berth writes differently.
nlohmann::json expected(const char *runc, bool rootless) {
  auto j = nlohmann::json::parse(runc);
  j["ociVersion"] = "1.3.0";
  j["hostname"] = "berth";
  if (rootless) {
    j["linux"]["uidMappings"][0]["hostID"] = ::geteuid();
    j["linux"]["gidMappings"][0]["hostID"] = ::getegid();
  }
  return j;
}

TEST(DefaultSpec, MatchesRuncSpec) {
  EXPECT_EQ(default_spec(false), expected(kRuncSpec, false)) << default_spec(false).dump(1);
}

TEST(DefaultSpec, RootlessMatchesRuncSpecRootless) {
  EXPECT_EQ(default_spec(true), expected(kRuncSpecRootless, true)) << default_spec(true).dump(1);
}

TEST(DefaultSpec, RoundTripsThroughParser) {
  for (bool rootless : {false, true}) {
    SCOPED_TRACE(rootless ? "rootless" : "privileged");
    auto spec = parse_spec(default_spec(rootless).dump());
    ASSERT_TRUE(spec) << spec.error().message;
    EXPECT_EQ(spec->oci_version, "1.3.0");
    ASSERT_TRUE(spec->process);
    EXPECT_TRUE(spec->process->terminal);
    EXPECT_EQ(spec->process->args, std::vector<std::string>{"sh"});
    EXPECT_EQ(spec->process->cwd, "/");
    EXPECT_TRUE(spec->process->no_new_privileges);
    ASSERT_EQ(spec->process->rlimits.size(), 1u);
    EXPECT_EQ(spec->process->rlimits[0].type, "RLIMIT_NOFILE");
    ASSERT_TRUE(spec->root);
    EXPECT_EQ(spec->root->path, "rootfs");
    EXPECT_TRUE(spec->root->readonly);
    EXPECT_EQ(spec->mounts.size(), 7u);
    ASSERT_TRUE(spec->linux);
    EXPECT_EQ(spec->linux->masked_paths.size(), 10u);
    EXPECT_EQ(spec->linux->readonly_paths.size(), 5u);
    EXPECT_NE(spec->linux->find_namespace(NamespaceType::Mount), nullptr);
    EXPECT_EQ(spec->linux->find_namespace(NamespaceType::User) != nullptr, rootless);
    EXPECT_EQ(spec->linux->find_namespace(NamespaceType::Network) != nullptr, !rootless);
    EXPECT_EQ(spec->linux->uid_mappings.size(), rootless ? 1u : 0u);
  }
}

}  // namespace
}  // namespace berth
