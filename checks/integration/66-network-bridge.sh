#!/bin/bash
# --network-bridge=BRIDGE: the veth's host end (vb-NAME) is a port of a bridge the host already has. The bridge
# is the host's: made here by the test, left alone by the launcher, removed by the test at exit.
. "$(dirname "$0")/lib.sh"
need_root
fixture tools
command -v ip >/dev/null || skip_rest "iproute2 is not installed"

br1=$(mname br1) br2=$(mname br2) bad=$(mname bad)
bridge=nb-$_mname_suffix other=nb2-$_mname_suffix notbr=nx-$_mname_suffix
ip link add "$bridge" type bridge && at_exit "ip link del $bridge 2>/dev/null"
ip link add "$other" type bridge && at_exit "ip link del $other 2>/dev/null"
ip link add "$notbr" type veth peer name "nxp-$_mname_suffix" && at_exit "ip link del $notbr 2>/dev/null"

run_bg "$br1" --network-bridge="$bridge" -- sh -c 'ip link show host0 >/dev/null && echo host0; exec sleep 60' \
	>"$T/br1"
p1=$bg_pid
wait_for 20 grep -q host0 "$T/br1"
ok "--network-bridge makes vb-NAME on the host" ip link show "vb-$br1"
assert_eq "as a port of the bridge given" "$(basename "$(readlink "/sys/class/net/vb-$br1/master")")" "$bridge"
assert_match "up" "$(ip -o link show "vb-$br1")" "[<,]UP[,>]"
assert_eq "and host0 inside" "$(cat "$T/br1")" "host0"
assert_match "its port unit says Unmanaged=yes (no catch-all .network may take it out of the bridge)" \
	"$(cat "/run/systemd/network/10-vb-$br1.network" 2>&1)" $'\\[Link\\]\nUnmanaged=yes'

run_bg "$br2" -n --network-bridge="$bridge" -- sleep 60; p2=$bg_pid; wait_for 20 started "$p2"
assert_eq "two containers on one bridge (-n next to it adds nothing)" \
	"$(ls "/sys/class/net/$bridge/brif" | sort | tr '\n' ' ')" "vb-$br1 vb-$br2 "
bg_pid=$p2 stop_bg
bg_pid=$p1 stop_bg
fails "vb-NAME is gone after exit" ip link show "vb-$br1"
fails "…and so is its unit" test -e "/run/systemd/network/10-vb-$br1.network"
ok "the bridge is the host's: it stays when its last container leaves" test -d "/sys/class/net/$bridge/bridge"
assert_eq "with no port of ours left" "$(ls "/sys/class/net/$bridge/brif" | tr '\n' ' ')" ""
for n in "$br1" "$br2"; do ok "nothing of $n is left behind" leftovers "$n"; done

# A killed launcher: its port dies with the container's namespace, its unit goes at the next start (any name),
# and the host's bridge stays as it was.
br3=$(mname br3)
run_bg "$br3" --network-bridge="$bridge" -- sleep 60; p3=$bg_pid; wait_for 20 started "$p3"
kill -KILL "$p3"; wait "$p3" 2>/dev/null
wait_for 20 sh -c "! ip link show vb-$br3 >/dev/null 2>&1"; _report $? "a killed launcher's port goes with its container"
run "$br1" -- true
fails "…and its unit with the next start" test -e "/run/systemd/network/10-vb-$br3.network"
ok "the bridge stays" test -d "/sys/class/net/$bridge/bridge"
ok "nothing of $br3 is left behind" leftovers "$br3"

# rejects DESCRIPTION WANT ARGS...: one line naming the value, non-zero, no link and nothing else left
rejects() {
	local d=$1 want=$2 out rc lines; shift 2
	out=$("$NSPAWN" -q -M "$bad" -P --closure="$closure" "$@" -- true 2>&1 </dev/null); rc=$?
	lines=$(printf '%s\n' "$out" | grep -c .)
	[ "$rc" != 0 ] && [[ $out == *"$want"* ]] && [ "$lines" = 1 ] && ! ip link show "vb-$bad" >/dev/null 2>&1 &&
		leftovers "$bad" >/dev/null
	_report $? "$d" "exit $rc, $lines lines: $out"
}
rejects "a bridge that does not exist" "'nb-nosuch0'" --network-bridge=nb-nosuch0
rejects "an interface that is not a bridge" "'$notbr': not a bridge" --network-bridge="$notbr"
rejects "a name that is no interface name" "'a/b'" --network-bridge=a/b
rejects "a name too long for an interface" "'abcdefghijklmnop'" --network-bridge=abcdefghijklmnop
rejects "with --network-zone" "--network-zone='z1'" --network-bridge="$bridge" --network-zone=z1
rejects "with a host config (the bridge is the host's to configure)" "does not apply to --network-bridge" \
	--network-bridge="$bridge" --network-veth-host-config=/dev/null
assert_eq "and no refused start touched the bridge" "$(ls "/sys/class/net/$other/brif" "/sys/class/net/$bridge/brif" | grep -c vb-)" "0"
