# Sourced by the scripts that run inside the guest. The work dir holds
# ./berth (the runtime under test) and ./bundle (a busybox bundle); results go
# to ./results/NAME.out (the container's output) and NAME.rc (berth's status).
WORK=$(pwd)
BERTH_BIN=$WORK/berth
STATE=/run/berth-vm
mkdir -p "$WORK/results" "$STATE"
# The rootfs is copied to the guest's tmpfs: a 9p rootfs would test 9p.
cp -a "$WORK/bundle/rootfs" /tmp/rootfs

# run_case NAME JQ-FILTER [BERTH-GLOBAL-FLAGS...]: runs a container whose
# config is the bundle's with the filter applied (cgroupsPath defaults to
# /berthvm/NAME; in a cgroup namespace, so /sys/fs/cgroup inside is the
# container's own cgroup) and records its output, its status and whether its cgroup
# was removed by delete.
run_case() {
	local name=$1 filter=$2
	shift 2
	local b=/tmp/bundle-$name
	mkdir -p "$b"
	jq --arg name "$name" '.root.path = "/tmp/rootfs" | .root.readonly = false
		| .linux.cgroupsPath = "/berthvm/\($name)"
		| .linux.namespaces |= (map(select(.type != "cgroup")) + [{"type": "cgroup"}]) | '"$filter" "$WORK/bundle/config.json" >"$b/config.json"
	(cd "$b" && timeout 60 "$BERTH_BIN" "$@" --root "$STATE" run "$name" </dev/null >"$WORK/results/$name.out" 2>&1)
	echo $? >"$WORK/results/$name.rc"
	"$BERTH_BIN" --root "$STATE" delete --force "$name" >/dev/null 2>&1
	local cg
	cg=$(jq -r .linux.cgroupsPath "$b/config.json")
	if [ -d "/sys/fs/cgroup$cg" ]; then echo left >"$WORK/results/$name.cgroup"; else echo removed >"$WORK/results/$name.cgroup"; fi
}

# sh -c SCRIPT as the container's process.
args() { jq -cn --arg s "$1" '["/bin/sh","-c",$s]'; }
