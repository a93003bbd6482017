#!/bin/bash
# --port in a real systemd host: networkd's DHCP server (and router advertisements) give the container its addresses
# after it starts; a client network namespace inside the test host reaches a TCP and a UDP echo server in the
# container through the host's forwarded ports and is seen there with its own address; the rules are gone after a
# stop, and after a SIGKILLed launcher at the next start. Traffic stays inside the test host's namespaces.
. "$(dirname "$0")/lib.sh"
th_need
th_exec test -x /usr/sbin/nft || skip_rest "nft is missing on this machine (checks/deps.sh installs nftables)"
ECHO=$TH_TOP/${BUILD#"$TOP"/}/helpers/echo-peer
[ -x "$BUILD/helpers/echo-peer" ] || skip_rest "build first: no $BUILD/helpers/echo-peer"

dropin=$TH_TOP/checks/system/testhost/multi-user.target.d
guest() {
	local name=$1; shift
	th_exec systemctl reset-failed "guest-$name" >/dev/null 2>&1
	th_exec systemd-run -q --unit="guest-$name" -p Type=notify -p Delegate=yes -p KillMode=mixed \
		"$TH_NSPAWN" -q -M "$name" -D "$TH_GUEST_IMAGE" -U --console=passive \
		--bind-ro="$dropin:/etc/systemd/system/multi-user.target.d" --bind-ro="$ECHO:/usr/local/bin/echo-peer" "$@"
}
stop_guest() { th_exec systemctl stop "guest-$1" >/dev/null 2>&1; }
in_guest() { local name=$1; shift; th_exec machinectl -q shell "$name" "$@" 2>/dev/null | tr -d '\r'; }
th_wait_for() { local s=$1; shift; th_sh 'end=$(($(date +%s) + $1)); shift; until "$@" >/dev/null 2>&1; do [ $(date +%s) -ge $end ] && exit 1; sleep 0.1; done' "$s" "$@"; }
chain() { th_exec nft list chain inet nixos-nspawn "pre-$1" 2>/dev/null; }
ask() { th_exec ip netns exec cl "$ECHO" ask "$@" 2>&1; }
at_exit "for g in fw1 fw2 fw3; do th_exec systemctl stop guest-\$g >/dev/null 2>&1; done; th_exec ip netns del cl >/dev/null 2>&1"

# the client: a namespace of its own behind a veth (documentation addresses), unmanaged by networkd
th_sh 'ip netns add cl && ip link add tc0 type veth peer name cl0 netns cl &&
	ip addr add 198.51.100.1/24 dev tc0 && ip addr add 2001:db8:5::1/64 dev tc0 nodad && ip link set tc0 up &&
	ip -n cl link set lo up && ip -n cl addr add 198.51.100.2/24 dev cl0 && ip -n cl addr add 2001:db8:5::2/64 dev cl0 nodad &&
	ip -n cl link set cl0 up'
ok "the client namespace is there" th_exec ip netns exec cl ip -o addr show dev cl0

# the host end as by default (an IPv4 pool address, DHCP server), with an IPv6 prefix to advertise: SLAAC inside
printf '[Network]\nAddress=0.0.0.0/28 fd42:5::1/64\n[IPv6Prefix]\nPrefix=fd42:5::/64\n' >"$TH_SHARED/fw-host.conf"
guest fw1 -n --network-veth-host-config="$TH_SHARED/fw-host.conf" --port=tcp:8080:80 --port=udp:1053:53
_report $? "a container with --port boots"
th_wait_for 30 sh -c 'machinectl shell fw1 /usr/sbin/ip -4 -o addr show dev host0 | grep -q inet'
_report $? "it gets an IPv4 lease from the host's DHCP server"
v4=$(in_guest fw1 /usr/sbin/ip -4 -o addr show dev host0 | awk '{print $4}' | cut -d/ -f1 | head -n1)
th_wait_for 10 sh -c "nft list chain inet nixos-nspawn pre-fw1 | grep -q 'dnat ip to $v4:80'"
_report $? "the launcher forwards to the leased address ($v4)" "$(chain fw1)"
in_guest fw1 /usr/bin/systemd-run --unit=echo-peer /usr/local/bin/echo-peer serve 80 53 >/dev/null
th_wait_for 15 ip netns exec cl "$ECHO" ask tcp 198.51.100.1 8080
assert_eq "TCP over IPv4 from another namespace: the container sees the client's address" \
	"$(ask tcp 198.51.100.1 8080)" "198.51.100.2"
assert_eq "UDP over IPv4 too" "$(ask udp 198.51.100.1 1053)" "198.51.100.2"
ip4fwd=$(th_exec cat /proc/sys/net/ipv4/ip_forward)
assert_eq "forwarding is on through networkd's IPMasquerade= (the launcher does not set it)" "$ip4fwd" 1
# IPv6: the container's SLAAC address from the host end's router advertisements
th_wait_for 20 sh -c 'machinectl shell fw1 /usr/sbin/ip -6 -o addr show dev host0 scope global | grep -q inet6'
_report $? "it gets an IPv6 address from the host end's router advertisements"
v6=$(in_guest fw1 /usr/sbin/ip -6 -o addr show dev host0 scope global | awk '{print $4}' | cut -d/ -f1 | head -n1)
th_wait_for 10 sh -c "nft list chain inet nixos-nspawn pre-fw1 | grep -q 'dnat ip6 to \[$v6\]:80'"
_report $? "the launcher forwards to it too ($v6)" "$(chain fw1)"
assert_eq "IPv6 forwarding is on too" "$(th_exec cat /proc/sys/net/ipv6/conf/all/forwarding)" 1
assert_eq "TCP over IPv6: the client's own address" "$(ask tcp 2001:db8:5::1 8080)" "2001:db8:5::2"
assert_eq "UDP over IPv6" "$(ask udp 2001:db8:5::1 1053)" "2001:db8:5::2"
th_exec nft flush ruleset
th_wait_for 10 sh -c "nft list chain inet nixos-nspawn pre-fw1 | grep -q 'dnat ip to $v4:80'"
_report $? "a firewall reload that flushes the ruleset: the forwards are back" "$(chain fw1)"
stop_guest fw1
fails "at stop the container's chains are gone" chain fw1

guest fw2 -n --port=udp:1053:53
th_wait_for 30 sh -c "nft list chain inet nixos-nspawn pre-fw2 | grep -q 'dnat ip to'"
_report $? "a second container's forward follows its lease" "$(chain fw2)"
th_exec systemctl kill --kill-whom=main -s KILL guest-fw2
th_wait_for 20 sh -c '! systemctl is-active -q guest-fw2'
ok "its launcher SIGKILLed, the chains stay (nothing ran to remove them)" chain fw2
guest fw3 -n; _report $? "another container starts"
fails "and its start swept the killed launcher's chains" chain fw2
ok "and its record" th_exec test ! -e /run/nixos-nspawn/ports/fw2
stop_guest fw3
