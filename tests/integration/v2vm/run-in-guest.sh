#!/bin/bash
# Runs a shell command line as root in a throw-away qemu guest whose only
# cgroup hierarchy is cgroup v2 (cgroup_no_v1=all), then powers it off.
#
#   run-in-guest.sh [--systemd] GUESTDIR WORKDIR 'command line'
#
# GUESTDIR  what build-guest.sh made
# WORKDIR   host directory shared read-write at the same path; the command
#           starts there. Host /usr and /etc are seen read-only (writable
#           through a tmpfs overlay), everything else is a fresh tmpfs.
# --systemd boot /usr/lib/systemd/systemd as PID 1 and run the command as a
#           oneshot service under it (the system bus is systemd's own private
#           socket: the guest has no dbus-daemon).
#
# The command's stdout and stderr come out on stdout; the exit status is the
# command's, 124 on timeout, 125 when the guest died before reporting one.
# Environment: V2VM_MEM (MB, default 1024), V2VM_CPUS (default 2),
# V2VM_TIMEOUT (seconds, default 300), V2VM_CONSOLE=FILE keeps the kernel console,
# V2VM_APPEND adds kernel parameters ("security=selinux enforcing=0").
set -u
systemd=0
if [ "${1:-}" = --systemd ]; then systemd=1; shift; fi
[ $# -eq 3 ] || { echo "usage: $0 [--systemd] GUESTDIR WORKDIR 'command line'" >&2; exit 2; }
guest=$(cd "$1" && pwd) || exit 2
work=$(cd "$2" && pwd) || exit 2
kver=$(cat "$guest/kver") || exit 2
kernel=$guest/vmlinux
[ -s "$kernel" ] || kernel=$guest/vmlinuz

ctl=$(mktemp -d "${TMPDIR:-/tmp}/v2guest.XXXXXX") || exit 2
trap 'rm -rf "$ctl"' EXIT
q() { printf "'%s'" "${1//\'/\'\\\'\'}"; }
printf 'WORKDIR=%s\nKVER=%s\nSYSTEMD=%s\n' "$(q "$work")" "$(q "$kver")" "$systemd" >"$ctl/config"
printf '%s\n' "$3" >"$ctl/cmd.sh"

# /dev/kvm on this kind of host may be a PVM hypervisor that cannot run a stock
# kernel: use it only when the CPU advertises hardware virtualisation.
accel=(-accel "tcg,thread=multi,tb-size=512" -cpu max)
if [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo; then accel=(-accel kvm -cpu host); fi

share() { echo "local,path=${2//,/,,},mount_tag=$1,security_model=$3,id=$1${4:+,$4}"; }
timeout -k 5 "${V2VM_TIMEOUT:-300}" qemu-system-x86_64 -nodefaults -no-user-config -machine pc "${accel[@]}" \
	-smp "${V2VM_CPUS:-2}" -m "${V2VM_MEM:-1024}" -display none -vga none -monitor none -no-reboot \
	-kernel "$kernel" -initrd "$guest/initramfs.cpio.gz" \
	-append "console=ttyS0 quiet loglevel=3 panic=-1 mitigations=off cgroup_no_v1=all systemd.unified_cgroup_hierarchy=1 rdinit=/init tsc=reliable no_timer_check${V2VM_APPEND:+ $V2VM_APPEND}" \
	-serial "file:$ctl/console.log" -chardev stdio,id=out,signal=off -serial chardev:out \
	-virtfs "$(share ctl "$ctl" none)" \
	-virtfs "$(share host_usr /usr none readonly=on,multidevs=remap)" \
	-virtfs "$(share host_etc /etc none readonly=on,multidevs=remap)" \
	-virtfs "$(share mods "$guest/kpkg/lib/modules/$kver" none readonly=on)" \
	-virtfs "$(share work "$work" passthrough multidevs=remap)" </dev/null
qrc=$?
[ -z "${V2VM_CONSOLE:-}" ] || tr -d '\r' <"$ctl/console.log" >"$V2VM_CONSOLE"
if [ -s "$ctl/rc" ]; then exit "$(cat "$ctl/rc")"; fi
echo "$0: the guest reported no exit status (qemu exit $qrc); console tail:" >&2
tr -d '\r' <"$ctl/console.log" | tail -20 >&2
[ $qrc = 124 ] || [ $qrc = 137 ] && exit 124
exit 125
