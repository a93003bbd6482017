#!/bin/bash
# Links without networkd: veth, zones, macvlan, moved interfaces, exported and joined namespaces.
# (Addresses, DHCP and mDNS need networkd on both ends: checks/system/.)
. "$(dirname "$0")/lib.sh"
need_root
fixture tools
command -v ip >/dev/null || skip_rest "iproute2 is not installed"

nl1=$(mname nl1) zn1=$(mname zn1) zn2=$(mname zn2) mv1=$(mname mv1) ex1=$(mname ex1) jn1=$(mname jn1)
bad1=$(mname bad1) bad2=$(mname bad2) clash1=$(mname clash1) zone=$(mname tz)
# (links of other runs come and go meanwhile: compare only ours)
links() { ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -E "^(ve|vb|vz|mv)-.*-$_mname_suffix" | sort | tr '\n' ' '; }
before=$(links)

run_bg "$nl1" -n -- sh -c 'ip link show host0 | grep -o "link/ether [0-9a-f:]*"; exec sleep 60' >"$T/nl1"
wait_for 20 grep -q link/ether "$T/nl1"
ok "-n makes ve-NAME on the host" ip link show "ve-$nl1"
mac1=$(cat "/sys/class/net/ve-$nl1/address")
stop_bg
assert_match "and host0 inside" "$(cat "$T/nl1")" "link/ether"
# (the kernel removes it with the container's network namespace, a few ms after the launcher exits)
wait_for 5 sh -c "! ip link show ve-$nl1 >/dev/null 2>&1"; _report $? "ve-NAME is gone after exit"
run_bg "$nl1" -n -- sleep 60; wait_for 20 started "$bg_pid"
assert_eq "the host side's MAC is stable across runs" "$(cat "/sys/class/net/ve-$nl1/address")" "$mac1"
stop_bg
c1=$(run "$nl1" -n -- cat /sys/class/net/host0/address)
c2=$(run "$nl1" -n -- cat /sys/class/net/host0/address)
assert_eq "so is the container side's" "$c1" "$c2"
[ -n "$c1" ] && [ "$c1" != "$mac1" ]; _report $? "and the two ends differ"

long=$(mname averyveryverylongmachinename)
run_bg "$long" -n -- sleep 60; wait_for 20 started "$bg_pid"
# (ip finds a link by its altname too: ours, whatever other runs make meanwhile)
name=$(ip -o link show "ve-$long" | awk -F': ' '{print $2}' | cut -d@ -f1)
assert_match "a long name is cut to 11 characters and 4 hex digits" "$name" "^ve-averyver[0-9a-f]{4}$"
assert_match "with the full name as altname" "$(ip link show "$name")" "altname ve-$long"
stop_bg

run_bg "$zn1" --network-zone="$zone" -- sleep 60; p1=$bg_pid; wait_for 20 started "$p1"
run_bg "$zn2" --network-zone="$zone" -- sleep 60; p2=$bg_pid; wait_for 20 started "$p2"
ok "a zone is a bridge vz-ZONE" test -d "/sys/class/net/vz-$zone/bridge"
assert_eq "with vb-NAME as ports" "$(ls "/sys/class/net/vz-$zone/brif" | sort | tr '\n' ' ')" "vb-$zn1 vb-$zn2 "
bg_pid=$p2 stop_bg
ok "the bridge stays while a port is left" test -d "/sys/class/net/vz-$zone"
bg_pid=$p1 stop_bg
fails "the bridge goes with its last port" test -e "/sys/class/net/vz-$zone"
fails "…and the zone's lock file" test -e "/run/nixos-nspawn/zones/$zone"

# (host interface names of our own, unique to this run: ma-XXXX and mb-XXXX)
ma=ma-$_mname_suffix mb=mb-$_mname_suffix
ip link add "$ma" type veth peer name "$mb" && at_exit "ip link del $ma 2>/dev/null"
out=$(run "$mv1" --network-macvlan="$ma" -- sh -c "test -e /sys/class/net/mv-$ma && echo made")
assert_eq "--network-macvlan makes mv-IF inside" "$out" "made"
run_bg "$mv1" --network-interface="$mb" -- sh -c "test -e /sys/class/net/$mb && echo inside; exec sleep 60" >"$T/mv1"
wait_for 20 grep -q inside "$T/mv1"
fails "--network-interface takes a host interface away from the host" test -e "/sys/class/net/$mb"
stop_bg
assert_eq "into the container" "$(cat "$T/mv1")" "inside"
# (a physical interface returns to the host when the namespace dies; a virtual one like this veth is destroyed)

run_bg "$ex1" -n --network-namespace-export -- sleep 60; wait_for 20 started "$bg_pid"
ok "--network-namespace-export binds the namespace at /run/netns/NAME" test -e "/run/netns/$ex1"
assert_match "so ip netns exec runs in it" "$(ip netns exec "$ex1" ip -o link show)" "host0"
stop_bg
fails "and removes it at exit" test -e "/run/netns/$ex1"
nspath=/run/nixos-nspawn-test-ns-$_mname_suffix
run_bg "$ex1" --private-network --network-namespace-export="$nspath" -- sleep 60; wait_for 20 started "$bg_pid"
ok "--network-namespace-export=PATH uses PATH" test -e "$nspath"
stop_bg
fails "and removes it at exit" test -e "$nspath"

join=nsp-join-$_mname_suffix
ip netns add "$join" && at_exit "ip netns del $join"
ip -n "$join" link add nsp-j0 type veth peer name nsp-j1
out=$(run "$jn1" --network-namespace-path="/run/netns/$join" -- sh -c 'ip -o link show | grep -c nsp-j; ls /sys/class/net | grep -c nsp-j')
assert_eq "--network-namespace-path joins that namespace (links and /sys)" "$out" "2
2"

out=$("$NSPAWN" -q -M "$bad1" -P --closure="$closure" -n --network-macvlan=nsp-nosuch0 -- true 2>&1); rc=$?
[ $rc != 0 ] && [[ $out == *"'nsp-nosuch0'"* ]]; _report $? "a macvlan on a missing interface is named" "$rc: $out"
assert_eq "and the veth made before it is removed" "$(links)" "$before"
out=$("$NSPAWN" -q -M "$bad1" -P --closure="$closure" --network-zone=bad_zone -- true 2>&1); rc=$?
[ $rc != 0 ] && [[ $out == *"'bad_zone'"* ]]; _report $? "a bad zone name is named" "$rc: $out"
out=$("$NSPAWN" -q -M "$bad1" -P --closure="$closure" --network-namespace-path=/etc/hostname -- true 2>&1); rc=$?
[ $rc != 0 ] && [[ $out == *"'/etc/hostname'"* ]]; _report $? "a path that is no network namespace is named" "$rc: $out"
out=$("$NSPAWN" -q -M "$bad1" -P --closure="$closure" --network-namespace-export -- true 2>&1); rc=$?
[ $rc != 0 ] && [[ $out == *"network namespace of the container's own"* ]]; _report $? "exporting the host's namespace is refused" "$rc: $out"
printf '[Network]\nDHCP=yes\nBogus line\n' >"$T/bad.network"
out=$("$NSPAWN" -q -M "$bad2" -P --closure="$closure" -n --network-veth-host-config="$T/bad.network" -- true 2>&1); rc=$?
[ $rc != 0 ] && [[ $out == *"$T/bad.network:3"* ]] && [[ $out == *"Bogus line"* ]]
_report $? "a malformed override is refused, naming file, line and text" "$rc: $out"
printf '[Match]\nName=*\n' >"$T/match.network"
out=$("$NSPAWN" -q -M "$bad2" -P --closure="$closure" -n --network-veth-container-config="$T/match.network" -- true 2>&1); rc=$?
[ $rc != 0 ] && [[ $out == *"$T/match.network:1"* ]]; _report $? "an override with [Match] is refused" "$rc: $out"
printf '[Netwrok]\nDHCP=no\n' >"$T/section.network"
out=$("$NSPAWN" -q -M "$bad2" -P --closure="$closure" -n --network-veth-host-config="$T/section.network" -- true 2>&1); rc=$?
[ $rc != 0 ] && [[ $out == *"Netwrok"* ]]; _report $? "an unknown section is refused, naming it" "$rc: $out"
assert_eq "…and none of them made a unit file" "$(grep -l "machine $bad2" /run/systemd/network/* 2>/dev/null)" ""
assert_eq "no link of ours is left" "$(links)" "$before"
for m in "$nl1" "$long" "$zn1" "$zn2" "$mv1" "$ex1" "$jn1" "$bad1" "$bad2"; do ok "nothing of $m is left behind" leftovers $m; done

# A link of the same name that is not ours: refused, and left alone.
ip link add "ve-$clash1" type veth peer name "nc-$_mname_suffix" && at_exit "ip link del ve-$clash1 2>/dev/null"
out=$("$NSPAWN" -q -M "$clash1" -P --closure="$closure" -n -- true 2>&1); rc=$?
[ $rc != 0 ] && [[ $out == *"ve-$clash1 exists already"* ]]; _report $? "a ve- link that exists already is refused, naming it" "$rc: $out"
ok "…and left alone" ip link show "ve-$clash1"
ok "nothing of $clash1 is left behind" leftovers "$clash1"
