#!/bin/bash
# netconf in a real systemd host: paired networkd units on both ends of a veth, DHCP, link-local, mDNS, a static
# override, zones, macvlan, exported and joined network namespaces, and teardown.
. "$(dirname "$0")/lib.sh"
th_need

dropin=$TH_TOP/checks/system/testhost/multi-user.target.d
# guest NAME ARGS...: boots the test host's own image (networkd and resolved inside) as a unit; returns when ready
guest() {
	local name=$1; shift
	th_exec systemctl reset-failed "guest-$name" >/dev/null 2>&1
	th_exec systemd-run -q --unit="guest-$name" -p Type=notify -p Delegate=yes -p KillMode=mixed \
		"$TH_NSPAWN" -q -M "$name" -D "$TH_GUEST_IMAGE" -U --console=passive \
		--bind-ro="$dropin:/etc/systemd/system/multi-user.target.d" "$@"
}
stop_guest() { th_exec systemctl stop "guest-$1" >/dev/null 2>&1; }
in_guest() { local name=$1; shift; th_exec machinectl -q shell "$name" "$@" 2>/dev/null | tr -d '\r'; }
# th_wait_for SECONDS COMMAND...: until COMMAND succeeds in the test host
th_wait_for() { local s=$1; shift; th_sh 'end=$(($(date +%s) + $1)); shift; until "$@" >/dev/null 2>&1; do [ $(date +%s) -ge $end ] && exit 1; sleep 0.1; done' "$s" "$@"; }
at_exit "for g in n1 n2 z1 z2 mv1 st1 jn1; do th_exec systemctl stop guest-\$g >/dev/null 2>&1; done"

# --- the default veth ---
start=$(date +%s.%N)
guest n1 -n; _report $? "a container with --network-veth boots"
th_wait_for 30 sh -c 'machinectl shell n1 /usr/sbin/ip -4 -o addr show dev host0 | grep -q inet'
_report $? "the container gets an IPv4 lease from the host's DHCP server"
echo "# launch to DHCP lease: $(_secs_since "$start") s"
v4=$(in_guest n1 /usr/sbin/ip -4 -o addr show dev host0 | awk '{print $4}' | cut -d/ -f1)
# networkd before v254 may take a second pool range for the same link (systemd issue #26113): any one will do
hostv4=$(th_exec ip -4 -o addr show dev ve-n1 scope global | awk '{print $4}' | cut -d/ -f1 | head -n1)
assert_match "the host end has an address from the pool" "$hostv4" "^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$"
assert_match "IPv6 link-local on the host end" "$(th_exec ip -6 -o addr show dev ve-n1 scope link)" "fe80::"
assert_match "IPv6 link-local on the container end" "$(in_guest n1 /usr/sbin/ip -6 -o addr show dev host0 scope link)" "fe80::"
th_wait_for 30 sh -c 'networkctl status ve-n1 | grep -q "State: routable (configured)\|State: degraded (configured)"'
_report $? "networkctl shows the host end configured" "$(th_exec networkctl status ve-n1 --no-pager 2>&1 | head -5)"
# one unit shared by every plain veth without a host override: no reload of networkd per start (netconf.c)
assert_match "the host end carries the alternative name the shared unit matches" "$(th_exec ip -o link show dev ve-n1)" "altname nixos-nspawn-ve-n1"
assert_match "…and networkd configured it with the shared unit" "$(th_exec networkctl status ve-n1 --no-pager 2>&1)" "Network File: /run/systemd/network/10-ve.network"
assert_match "networkctl inside shows host0 configured" "$(in_guest n1 /usr/bin/networkctl status host0 --no-pager)" "State: routable \(configured\)"
ok "ping host → container" th_exec ping -c1 -W2 "$v4"
ok "ping container → host" th_sh 'machinectl shell n1 /usr/bin/ping -c1 -W2 "$1" | grep -q " 0% packet loss"' "$hostv4"

# --- mDNS ---
th_wait_for 20 resolvectl query -4 n1.local
_report $? "the host resolves NAME.local to the container (mDNS)" "$(th_exec resolvectl query n1.local 2>&1)"
assert_match "…to its address" "$(th_exec resolvectl query -4 n1.local 2>&1)" "$v4"
th_wait_for 20 sh -c "machinectl shell n1 /usr/bin/resolvectl query $TH_NAME.local | grep -q 'link: host0'"
_report $? "the container resolves the host's name" "$(in_guest n1 /usr/bin/resolvectl query "$TH_NAME.local")"
warnings=$(th_exec journalctl -b -u systemd-networkd --no-pager -o cat | grep -iE "10-ve-|10-ve\.|10-vb-|10-vz-" | grep -viE "^ve-|^vb-|^vz-" )
assert_eq "networkd logs no warning about our units" "$warnings" ""

# --- a static override, as users write it ---
printf '[Network]\nDHCPServer=no\nAddress=fc42::1/64 192.168.42.1/24\n' >"$TH_SHARED/host.conf"
printf '[Network]\nDHCP=no\nAddress=fc42::2/64 192.168.42.2/24\nGateway=fc42::1 192.168.42.1\n' >"$TH_SHARED/container.conf"
guest st1 -n --network-veth-host-config="$TH_SHARED/host.conf" --network-veth-container-config="$TH_SHARED/container.conf"
th_wait_for 20 ping -c1 -W1 192.168.42.2
_report $? "static override: ping -4 to the container" "$(th_exec ip addr show dev ve-st1 2>&1)"
th_wait_for 20 ping -6 -c1 -W1 fc42::2
_report $? "static override: ping -6 to the container"
ok "static override: ping -4 from the container to its gateway" th_sh 'machinectl shell st1 /usr/bin/ping -c1 -W2 192.168.42.1 | grep -q " 0% packet loss"'
assert_eq "static override: the pool address was replaced" "$(th_exec ip -4 -o addr show dev ve-st1 scope global | awk '{print $4}' | xargs)" "192.168.42.1/24"
assert_match "static override: the container's own unit, not the shared one" "$(th_exec networkctl status ve-st1 --no-pager 2>&1)" "Network File: /run/systemd/network/10-ve-st1.network"
stop_guest st1
# networkd keeps a unit it read until it reloads: the stop must make it forget, or this start would get the override
guest st1 -n
th_wait_for 20 sh -c 'networkctl status ve-st1 | grep -q "Network File: /run/systemd/network/10-ve.network"'
_report $? "the same machine started again without the override gets the shared unit" "$(th_exec networkctl status ve-st1 --no-pager 2>&1 | head -4)"
stop_guest st1

# --- a zone: two containers that reach each other by name ---
guest z1 --network-zone=lab; guest z2 --network-zone=lab
ok "the zone is a bridge with both containers' ports" th_sh 'test -e /sys/class/net/vz-lab/brif/vb-z1 && test -e /sys/class/net/vz-lab/brif/vb-z2'
th_wait_for 30 sh -c 'machinectl shell z1 /usr/bin/ping -c1 -W1 z2.local | grep -q " 0% packet loss"'
_report $? "z1 reaches z2 by name" "$(in_guest z1 /usr/bin/resolvectl query z2.local 2>&1)"
th_wait_for 30 sh -c 'machinectl shell z2 /usr/bin/ping -c1 -W1 z1.local | grep -q " 0% packet loss"'
_report $? "z2 reaches z1 by name"
stop_guest z1
ok "the bridge stays while z2 runs" th_exec test -e /sys/class/net/vz-lab
stop_guest z2
ok "the empty bridge goes with the last container" th_sh '! test -e /sys/class/net/vz-lab'

# --- macvlan: a parent link whose other end serves DHCP ---
th_sh 'ip link add mvp0 type veth peer name mvp1 &&
	printf "[Match]\nName=mvp1\n[Network]\nAddress=10.99.0.1/24\nDHCPServer=yes\n" > /run/systemd/network/50-mvp1.network &&
	printf "[Match]\nName=mvp0\n[Network]\nLinkLocalAddressing=no\n" > /run/systemd/network/50-mvp0.network &&
	networkctl reload'
at_exit "th_sh 'ip link del mvp0; rm -f /run/systemd/network/50-mvp*.network' >/dev/null 2>&1"
guest mv1 --network-macvlan=mvp0
th_wait_for 30 sh -c 'machinectl shell mv1 /usr/sbin/ip -4 -o addr show dev mv-mvp0 | grep -q "inet 10.99.0."'
_report $? "a macvlan container gets an address" "$(in_guest mv1 /usr/sbin/ip addr 2>&1)"
stop_guest mv1

# --- an exported namespace: host services inside the container's network ---
guest n2 -n --network-namespace-export
ok "--network-namespace-export shows it at /run/netns/NAME" th_exec test -e /run/netns/n2
in_guest n2 /usr/bin/systemd-run -q --unit=hello -p Type=simple /usr/bin/systemd-socket-activate -l 127.0.0.1:8080 -a --inetd /bin/hostname >/dev/null
th_wait_for 10 sh -c "nsenter --net=/run/netns/n2 ss -Hltn 'sport = :8080' | grep -q ."
out=$(th_exec systemd-run -q --wait --pipe -p NetworkNamespacePath=/run/netns/n2 bash -c 'exec 3<>/dev/tcp/127.0.0.1/8080; cat <&3; ip route get 192.0.2.1 | grep -o "dev [a-z0-9]*"')
assert_eq "a host service with NetworkNamespacePath= reaches 127.0.0.1 inside the container, routed via host0" "$out" "n2
dev host0"
th_sh 'printf "[Socket]\nListenStream=127.0.0.1:9090\n" > /run/systemd/system/fwd-n2.socket &&
	printf "[Service]\nNetworkNamespacePath=/run/netns/n2\nExecStart=/lib/systemd/systemd-socket-proxyd 127.0.0.1:8080\n" > /run/systemd/system/fwd-n2.service &&
	systemctl daemon-reload && systemctl start fwd-n2.socket'
at_exit "th_exec systemctl stop fwd-n2.socket fwd-n2.service >/dev/null 2>&1"
assert_eq "port forwarding: a host socket + systemd-socket-proxyd in its namespace reaches the service" \
	"$(th_exec bash -c 'exec 3<>/dev/tcp/127.0.0.1/9090; cat <&3')" "n2"
th_exec systemctl stop fwd-n2.socket fwd-n2.service
stop_guest n2
ok "the export is gone after stop" th_sh '! test -e /run/netns/n2'

# --- joining an existing namespace ---
th_sh 'ip netns add joinme && ip -n joinme link add jv0 type veth peer name jv1'
at_exit "th_exec ip netns del joinme >/dev/null 2>&1"
fixture tools
out=$(th_exec "$TH_NSPAWN" -q -M jn1 -P --closure="$closure" --setenv=PATH="$tools/bin" --network-namespace-path=/run/netns/joinme -- sh -c 'ls /sys/class/net | xargs')
assert_eq "--network-namespace-path: the container sees that namespace's interfaces" "$out" "jv0 jv1 lo"

# --- teardown ---
stop_guest n1
# (a plain veth goes with the container's network namespace, in the kernel's clean-up a few ms after the stop)
assert_eq "after stop: no ve-/vb-/vz- link" "$(th_sh 'for i in $(seq 20); do ls /sys/class/net | grep -qE "^(ve|vb|vz)-" || exit 0; sleep 0.1; done; ls /sys/class/net | grep -E "^(ve|vb|vz)-"')" ""
assert_eq "…no unit of any machine of ours" "$(th_sh 'grep -l "Written by nixos-nspawn for machine" /run/systemd/network/* 2>/dev/null')" ""
assert_eq "…the shared unit stays (it matches only our links' alternative names)" "$(th_sh 'grep -l "Written by nixos-nspawn" /run/systemd/network/* 2>/dev/null')" "/run/systemd/network/10-ve.network"
assert_eq "…no /run/netns entry of ours" "$(th_sh 'ls /run/netns 2>/dev/null | grep -v joinme')" ""
