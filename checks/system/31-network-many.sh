#!/bin/bash
# Ten containers with a veth through the unit at once (the small functional version of `make bench`'s scale
# section, whose script this runs in the test host): all active, all get a DHCP lease on host0 from networkd on
# the host end (that end's networkd lists it as offered), and after one `systemctl stop` nothing of theirs is left.
# No timings are asserted.
. "$(dirname "$0")/lib.sh"
th_need

inst=$TH_SHARED/install-many
make -s -C "$TOP" install DESTDIR="$inst" PREFIX=/usr/local >/dev/null
th_sh 'tar -C "$1" -c . | tar -C / -x --no-overwrite-dir && mkdir -p /etc/nixos-nspawn && systemctl daemon-reload' "$inst"
at_exit "th_exec sh -c 'systemctl stop nixos-nspawn@u10-\\*.service; rm -f /etc/nixos-nspawn/u10-*.conf' >/dev/null 2>&1"
args="-D $TH_GUEST_IMAGE -U --network-veth --console=passive --bind-ro=$TH_TOP/checks/system/testhost/multi-user.target.d:/etc/systemd/system/multi-user.target.d"
line=$(th_exec env SCALE_ARGS="$args" bash "$TH_TOP/checks/bench/scale-unit.sh" --inner 10 | grep -v "^#")
IFS=$'\t' read -r n _ active leased ready lease _ _ teardown left _ <<<"$line"
assert_eq "ten started through nixos-nspawn@NAME are all active" "$n $active" "10 10"
assert_eq "…and all have an IPv4 address on host0 (the bench's quick test while it times)" "$leased" "10"
# checked apart, after the timing: the host end's networkd offered that address (scale-unit.sh, lease_verified())
assert_eq "…each one a lease the host end's DHCP server offered, in its prefix, not link-local" "$(cut -f25 <<<"$line")" "10"
assert_eq "…and after systemctl stop no link, unit, lock, cgroup, machine or launcher of theirs is left" "$left" "0"
echo "# ready $ready s, leased $lease s, stopped $teardown s"
