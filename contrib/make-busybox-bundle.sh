#!/bin/bash
# Builds an OCI bundle whose rootfs is Debian's busybox-static, with nothing
# fetched from the network.
#
#   make-busybox-bundle.sh [--args 'cmd arg ...'] [--runtime PATH] DIR [-- CMD ARG...]
#
# DIR/rootfs gets /bin/busybox and a symlink per applet, /etc/passwd and
# /etc/group (root, nobody, user 1000) and empty /proc /sys /dev /tmp.
# DIR/config.json comes from `RUNTIME spec` when that works (RUNTIME defaults
# to $BERTH, else berth on PATH), otherwise from a built-in default equal to
# `runc spec`'s; either way process.terminal is false and process.args is set
# (default: sh) from --args split on blanks, or verbatim from the words after
# `--`. Needs busybox-static and jq.
set -euo pipefail

usage() {
	echo "usage: $0 [--args 'cmd arg ...'] [--runtime PATH] DIR [-- CMD ARG...]" >&2
	exit 2
}

args='sh'
runtime="${BERTH:-berth}"
dir=
argv_given=()
while [ $# -gt 0 ]; do
	case "$1" in
	--args) [ $# -ge 2 ] || usage; args="$2"; shift 2 ;;
	--args=*) args="${1#--args=}"; shift ;;
	--runtime) [ $# -ge 2 ] || usage; runtime="$2"; shift 2 ;;
	--runtime=*) runtime="${1#--runtime=}"; shift ;;
	--) shift; argv_given=("$@"); break ;;
	-h|--help) usage ;;
	-*) echo "$0: unknown option $1" >&2; usage ;;
	*) [ -z "$dir" ] || usage; dir="$1"; shift ;;
	esac
done
[ -n "$dir" ] || usage

busybox=
for b in /bin/busybox /usr/bin/busybox; do
	# Only a static busybox works in a rootfs with no libc in it (ldd fails
	# on a static binary).
	if [ -x "$b" ] && ! ldd "$b" >/dev/null 2>&1; then
		busybox="$b"
		break
	fi
done
if [ -z "$busybox" ]; then
	echo "$0: no static busybox found (Debian: apt-get install busybox-static)" >&2
	exit 1
fi
command -v jq >/dev/null || { echo "$0: jq is needed (Debian: apt-get install jq)" >&2; exit 1; }

rootfs="$dir/rootfs"
mkdir -p "$rootfs"/{bin,etc,proc,sys,dev,tmp,root,home/user}
chmod 1777 "$rootfs/tmp"
chmod 700 "$rootfs/root"
install -m 0755 "$busybox" "$rootfs/bin/busybox"
# Links made from the list instead of `busybox --install`, which installs
# into the host's directories unless run in a chroot.
for applet in $("$rootfs/bin/busybox" --list); do
	[ "$applet" = busybox ] || ln -sf busybox "$rootfs/bin/$applet"
done
ln -sfn bin "$rootfs/sbin"
mkdir -p "$rootfs/usr"
ln -sfn ../bin "$rootfs/usr/bin"
ln -sfn ../bin "$rootfs/usr/sbin"

cat > "$rootfs/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
user:x:1000:1000:user:/home/user:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat > "$rootfs/etc/group" <<'GROUP'
root:x:0:
user:x:1000:
nogroup:x:65534:
GROUP
chown 1000:1000 "$rootfs/home/user"

default_config() {
	cat <<'JSON'
{
  "ociVersion": "1.0.2-dev",
  "process": {
    "terminal": true,
    "user": { "uid": 0, "gid": 0 },
    "args": [ "sh" ],
    "env": [
      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      "TERM=xterm"
    ],
    "cwd": "/",
    "capabilities": {
      "bounding": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ],
      "effective": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ],
      "permitted": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ],
      "ambient": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ]
    },
    "rlimits": [ { "type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024 } ],
    "noNewPrivileges": true
  },
  "root": { "path": "rootfs", "readonly": true },
  "hostname": "berth",
  "mounts": [
    { "destination": "/proc", "type": "proc", "source": "proc" },
    { "destination": "/dev", "type": "tmpfs", "source": "tmpfs",
      "options": [ "nosuid", "strictatime", "mode=755", "size=65536k" ] },
    { "destination": "/dev/pts", "type": "devpts", "source": "devpts",
      "options": [ "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5" ] },
    { "destination": "/dev/shm", "type": "tmpfs", "source": "shm",
      "options": [ "nosuid", "noexec", "nodev", "mode=1777", "size=65536k" ] },
    { "destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue",
      "options": [ "nosuid", "noexec", "nodev" ] },
    { "destination": "/sys", "type": "sysfs", "source": "sysfs",
      "options": [ "nosuid", "noexec", "nodev", "ro" ] },
    { "destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
      "options": [ "nosuid", "noexec", "nodev", "relatime", "ro" ] }
  ],
  "linux": {
    "resources": { "devices": [ { "allow": false, "access": "rwm" } ] },
    "namespaces": [
      { "type": "pid" }, { "type": "network" }, { "type": "ipc" },
      { "type": "uts" }, { "type": "mount" }
    ],
    "maskedPaths": [
      "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
      "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
      "/proc/sched_debug", "/sys/firmware", "/proc/scsi"
    ],
    "readonlyPaths": [
      "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"
    ]
  }
}
JSON
}

config="$dir/config.json"
rm -f "$config"
if command -v "$runtime" >/dev/null 2>&1 &&
	"$runtime" spec --bundle "$dir" >/dev/null 2>&1 &&
	jq -e .process "$config" >/dev/null 2>&1; then
	:
else
	default_config > "$config"
fi

# Word-split --args on purpose: it is a simple command line, not a shell script.
if [ ${#argv_given[@]} -gt 0 ]; then
	argv=("${argv_given[@]}")
else
	read -r -a argv <<< "$args"
fi
# Each word through --arg, which takes its value verbatim (jq 1.6 would read
# a word like -c after --args as one of its own options).
argv_json="$(for a in "${argv[@]}"; do jq -n --arg a "$a" '$a'; done | jq -s -c .)"
jq --argjson argv "$argv_json" '.process.terminal = false | .process.args = $argv' \
	< "$config" > "$config.new"
mv "$config.new" "$config"
