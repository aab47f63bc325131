#!/bin/bash
# Runs inside the qemu guest under systemd as PID 1 (see ../deb_package.bats):
# installs the berth and crid packages from debs/ with dpkg, as on a fresh
# Debian 12 machine, checks that crid.socket and crid.service are enabled and
# running and that crid answers on /run/crid/crid.sock, then purges them.
# Results go to results/, one file per step.
cd "$(dirname "$0")" || exit 1
R=$PWD/results
mkdir -p "$R"
# The guest sees the host's /usr and /etc through writable overlays but has an
# empty /var: the host's package database (copied by the test) says which
# libraries are installed. The host's policy-rc.d (a container image's "start
# nothing") would stop the postinst from starting crid: the guest is a
# machine, so it goes (from the overlay only).
mkdir -p /var/lib /var/log /var/cache
cp -a dpkg /var/lib/dpkg
rm -f /usr/sbin/policy-rc.d
# Nor is the host's own `make install` on a fresh machine: its crid units in
# /usr/local/lib/systemd/system would win over the package's in /lib, and its
# /usr/local/bin/cridctl over /usr/bin's on PATH.
rm -f /usr/local/lib/systemd/system/crid.service /usr/local/lib/systemd/system/crid.socket
systemctl daemon-reload
export DEBIAN_FRONTEND=noninteractive

dpkg -i debs/berth_*.deb debs/crid_*.deb >"$R/install.log" 2>&1
echo $? >"$R/install.rc"

systemctl is-enabled crid.socket crid.service >"$R/enabled" 2>&1
for _ in $(seq 100); do
	[ "$(systemctl is-active crid.service)" = active ] && break
	sleep 0.1
done
systemctl is-active crid.socket crid.service >"$R/active" 2>&1
{
	echo "listen=$(systemctl show crid.socket -p Listen --value)"
	echo "exec=$(systemctl show crid.service -p ExecStart --value | sed -n 's/.*path=\([^ ;]*\).*/\1/p')"
} >"$R/units" 2>&1
/usr/bin/cridctl -r unix:///run/crid/crid.sock -t 5 version >"$R/version" 2>&1
echo "rc=$?" >>"$R/version"
systemctl status --no-pager crid.service >"$R/status" 2>&1

dpkg --purge crid berth >"$R/purge.log" 2>&1
echo $? >"$R/purge.rc"
{
	echo "service=$(systemctl is-active crid.service)"
	for f in /usr/bin/berth /usr/bin/crid /usr/bin/cridctl /usr/libexec/crid /etc/crid \
		/lib/systemd/system/crid.service /etc/systemd/system/sockets.target.wants/crid.socket \
		/etc/systemd/system/multi-user.target.wants/crid.service /var/lib/crid; do
		if [ -e "$f" ] || [ -L "$f" ]; then echo "left: $f"; fi
	done
} >"$R/after-purge" 2>&1
exit 0
