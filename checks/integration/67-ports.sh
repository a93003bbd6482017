#!/bin/bash
# --port: DNAT from the host's firewall to the container's address, TCP and UDP, IPv4 and IPv6, the client's own
# address seen inside, following the address as it comes and changes, gone at stop and after a killed launcher.
# Everything runs in network namespaces of this test's own: a "host" one where the launcher runs (its nftables, its
# forwarding sysctls) and a "client" one joined to it by a veth; no packet leaves them. (DHCP: checks/system.)
. "$(dirname "$0")/lib.sh"
need_root
fixture tools
command -v ip >/dev/null || skip_rest "iproute2 is not installed"
command -v nft >/dev/null || skip_rest "nft (nftables) is not installed: needed to read the rules"
ECHO=$BUILD/helpers/echo-peer
[ -x "$ECHO" ] || skip_rest "build first: no $ECHO"
ldconfig -p | grep -q 'libnftables\.so\.1 ' || skip_rest "libnftables.so.1 is not installed"

p1=$(mname p1) p2=$(mname p2) p3=$(mname p3)
H=nsp-h-$_mname_suffix C=nsp-c-$_mname_suffix
ip netns add "$H" && at_exit "ip netns del $H"
ip netns add "$C" && at_exit "ip netns del $C"
# the client's link to the host: documentation addresses, inside these two namespaces only
ip -n "$H" link add hc0 type veth peer name ch0 netns "$C"
ip -n "$H" link set lo up; ip -n "$C" link set lo up
ip -n "$H" addr add 192.0.2.1/24 dev hc0; ip -n "$H" addr add 2001:db8:1::1/64 dev hc0 nodad
ip -n "$C" addr add 192.0.2.2/24 dev ch0; ip -n "$C" addr add 2001:db8:1::2/64 dev ch0 nodad
ip -n "$H" link set hc0 up; ip -n "$C" link set ch0 up
ip netns exec "$H" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
inh() { nsenter --net="/run/netns/$H" "$@"; }
ask() { ip netns exec "$C" "$ECHO" ask "$@" 2>&1; }
rules() { inh nft list table inet nixos-nspawn 2>/dev/null; }

# the launcher in the test's host namespace (nsenter: only the network namespace changes)
start() { # NAME ARGS...
	local name=$1; shift
	nsenter --net="/run/netns/$H" "$NSPAWN" -q -M "$name" --console=pipe --closure="$closure" --setenv=PATH="$tools/bin" \
		--bind-ro="$ECHO:/echo-peer" -n "$@" -- /echo-peer serve 80 53 >"$T/out-$name" 2>"$T/err-$name" &
	bg_pid=$!
	wait_for 20 grep -q ready "$T/out-$name"
}
# what networkd's DHCP and RA would do: the host end's address, then the container's, and its default route
address() { # NAME LAST-IPV4-OCTET
	local name=$1 l
	l=$(leader_of "$bg_pid")
	inh ip addr add 10.77.0.1/24 dev "ve-$name" 2>/dev/null; inh ip addr add fd77::1/64 dev "ve-$name" nodad 2>/dev/null
	inh ip link set "ve-$name" up
	nsenter -t "$l" -n ip link set host0 up
	nsenter -t "$l" -n ip addr flush dev host0 scope global
	nsenter -t "$l" -n ip addr add "10.77.0.$2/24" dev host0
	nsenter -t "$l" -n ip addr add "fd77::$2/64" dev host0 nodad
	nsenter -t "$l" -n ip route replace default via 10.77.0.1
	nsenter -t "$l" -n ip -6 route replace default via fd77::1
}

start "$p1" --port=tcp:8080:80 --port=udp:5353:53 --port=2222:80
ok "the launcher runs with --port" kill -0 "$bg_pid"
assert_match "its chains are there before the container has an address, with no rule yet" "$(rules)" \
	"chain pre-$p1 \{[^}]*policy accept;[[:space:]]*\}"
address "$p1" 2
wait_for 5 sh -c "nsenter --net=/run/netns/$H nft list chain inet nixos-nspawn pre-$p1 | grep -q 10.77.0.2"
assert_eq "TCP over IPv4: the container sees the client's own address" "$(ask tcp 192.0.2.1 8080)" "192.0.2.2"
assert_eq "UDP over IPv4 too" "$(ask udp 192.0.2.1 5353)" "192.0.2.2"
assert_eq "TCP over IPv6" "$(ask tcp 2001:db8:1::1 8080)" "2001:db8:1::2"
assert_eq "UDP over IPv6" "$(ask udp 2001:db8:1::1 5353)" "2001:db8:1::2"
assert_eq "a port without protocol is TCP, HOSTPORT:CONTAINERPORT" "$(ask tcp 192.0.2.1 2222)" "192.0.2.2"
fails "a port not forwarded is not" ask tcp 192.0.2.1 80

# a new lease: the rules follow the address, without a restart
address "$p1" 3
wait_for 5 sh -c "nsenter --net=/run/netns/$H nft list chain inet nixos-nspawn pre-$p1 | grep -q 10.77.0.3"
assert_eq "the forward follows a changed address (IPv4)" "$(ask tcp 192.0.2.1 8080)" "192.0.2.2"
assert_eq "and IPv6" "$(ask udp 2001:db8:1::1 5353)" "2001:db8:1::2"
fails "the old address is no longer a target" sh -c "nsenter --net=/run/netns/$H nft list table inet nixos-nspawn | grep -q '10.77.0.2'"

# root inside names an address outside the host end's prefix: never a target
l=$(leader_of "$bg_pid")
nsenter -t "$l" -n ip addr flush dev host0 scope global
nsenter -t "$l" -n ip addr add 192.0.2.2/24 dev host0
wait_for 5 sh -c "! nsenter --net=/run/netns/$H nft list table inet nixos-nspawn | grep -q '10.77.0.3'"
fails "an address of the container outside the host end's prefixes is never forwarded to" \
	sh -c "nsenter --net=/run/netns/$H nft list table inet nixos-nspawn | grep -q 'dnat ip to 192.0.2'"
address "$p1" 2

# a firewall reload that flushes the whole ruleset (NixOS's networking.nftables does)
wait_for 5 sh -c "nsenter --net=/run/netns/$H nft list chain inet nixos-nspawn pre-$p1 | grep -q 10.77.0.2"
inh nft flush ruleset
wait_for 5 sh -c "nsenter --net=/run/netns/$H nft list chain inet nixos-nspawn pre-$p1 | grep -q 10.77.0.2"
_report $? "after 'nft flush ruleset' the rules are back" "$(rules)"
# what iptables-nft (and NixOS's firewall on it) keeps in the same ruleset: tables of its own, ours beside them (made after the flush above)
inh nft 'add table ip nat; add chain ip nat PREROUTING { type nat hook prerouting priority -100; policy accept; }'
inh nft 'add table ip filter; add chain ip filter FORWARD { type filter hook forward priority 0; policy accept; }'
inh nft 'add rule ip filter FORWARD counter accept'
assert_eq "and forward again" "$(ask tcp 192.0.2.1 8080)" "192.0.2.2"

stop_bg
assert_eq "at stop the container's chains are gone" "$(rules | grep -c -- "-$p1 ")" "0"
ok "and its record" test ! -e "/run/nixos-nspawn/ports/$p1"
assert_eq "the other tables are as they were (iptables-nft's nat and filter)" \
	"$(inh nft list tables | grep -c -e 'table ip nat' -e 'table ip filter')" 2

# a killed launcher: its chains stay (nothing ran to remove them) until the next start's sweep
start "$p2" --port=udp:5353:53
address "$p2" 5
wait_for 5 sh -c "nsenter --net=/run/netns/$H nft list chain inet nixos-nspawn pre-$p2 | grep -q 10.77.0.5"
kill -KILL "$bg_pid"; wait "$bg_pid" 2>/dev/null
ok "a SIGKILLed launcher leaves its chains" sh -c "nsenter --net=/run/netns/$H nft list chain inet nixos-nspawn pre-$p2"
# a start in another network namespace (here: the machine's own) cannot reach them: it leaves the record
"$NSPAWN" -q -M "$p3" --console=pipe --closure="$closure" --setenv=PATH="$tools/bin" --private-network -- true
ok "a start in another network namespace leaves the record of chains it cannot reach" test -e "/run/nixos-nspawn/ports/$p2"
inh "$NSPAWN" -q -M "$p1" --console=pipe --closure="$closure" --setenv=PATH="$tools/bin" -- true
fails "the next start (of any container) sweeps them" sh -c "nsenter --net=/run/netns/$H nft list chain inet nixos-nspawn pre-$p2"
ok "and the record" test ! -e "/run/nixos-nspawn/ports/$p2"

# the same name again right after the kill (Restart=): the sweep skips the starting name, so the start removes
# its own name's record and chains itself (sweep_machine()); the record is written O_EXCL
start "$p2" --port=udp:5353:53
kill -KILL "$bg_pid"; wait "$bg_pid" 2>/dev/null
start "$p2" --port=udp:5353:53
ok "a restart of the same name right after a SIGKILL runs, with its port forwards" \
	sh -c "kill -0 $bg_pid && nsenter --net=/run/netns/$H nft list chain inet nixos-nspawn pre-$p2"
ok "and its record is there" test -e "/run/nixos-nspawn/ports/$p2"
stop_bg

out=$("$NSPAWN" -q -M "$p1" --console=pipe --closure="$closure" --port=udp:99999 -- true 2>&1); rc=$?
[ $rc != 0 ] && [[ $out == *"'udp:99999'"* ]]; _report $? "a bad --port is refused, naming it" "$rc: $out"
out=$("$NSPAWN" -q -M "$p1" --console=pipe --closure="$closure" --private-network --port=80 -- true 2>&1); rc=$?
[ $rc != 0 ] && [[ $out == *"--port=80 needs a veth"* ]]; _report $? "--port without a veth is refused" "$rc: $out"
for m in "$p1" "$p2" "$p3"; do ok "nothing of $m is left behind" leftovers "$m"; done
