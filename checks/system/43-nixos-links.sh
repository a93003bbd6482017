#!/bin/bash
# network.bridge and network.macvlans end to end (nixpkgs' containers.<name>.hostBridge and .macvlans): the
# module's container joins a bridge the host already has, as a port of it, and gets its address from that
# bridge's network (here networkd's DHCP server on the bridge), not from the launcher's defaults; another one has
# a macvlan on a host interface and gets its address from that interface's network.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/nixos-lib.sh"
th_need
fixture boot
th_nixos_toplevel
{ echo "$toplevel"; cat "$closure"; } >"$TH_SHARED/bridge-closure"

name=nxb$$ # unique: other harnesses may run the same scenario
bridge=brnx$$
prefix=$TH_SHARED/bridge-prefix
mv=nxv$$
parent=mvnx$$ # the macvlan's parent: one end of a veth whose other end serves DHCP
nixos_ours_re="nixos-nspawn@($name|$mv)|systemd-nspawn@($name|$mv)|nixos-nspawn/($name|$mv)\\."
nixos_machines_re="$name|$mv"
ok "make install into a prefix (the package)" make -s -C "$TOP" install PREFIX="$prefix"

th_sh 'ip link add "$1" type bridge && mkdir -p /run/systemd/network &&
	printf "[Match]\nName=%s\n[Network]\nAddress=10.98.0.1/24\nDHCPServer=yes\nConfigureWithoutCarrier=yes\n" "$1" >/run/systemd/network/50-$1.network &&
	ip link add "$2" type veth peer name "$2p" &&
	printf "[Match]\nName=%s\n[Network]\nAddress=10.97.0.1/24\nDHCPServer=yes\n" "$2p" >/run/systemd/network/50-$2p.network &&
	printf "[Match]\nName=%s\n[Network]\nLinkLocalAddressing=no\n" "$2" >/run/systemd/network/50-$2.network &&
	networkctl reload' "$bridge" "$parent"
at_exit "th_exec systemctl stop nixos-nspawn@$name.service nixos-nspawn@$mv.service >/dev/null 2>&1; th_sh 'ip link del $bridge; ip link del $parent; rm -rf /run/systemd/network/50-$bridge.network /run/systemd/network/50-$parent*.network /run/systemd/system/*$name* /run/systemd/system/*$mv* /etc/nixos-nspawn/$name.* /etc/nixos-nspawn/$mv.* /run/systemd/system/machines.target.wants/*$name* /run/systemd/system/machines.target.wants/*$mv* /var/lib/machines/$name /var/lib/machines/$mv /run/tmpfiles.d/nixos-test-$$.conf; systemctl daemon-reload; networkctl reload' >/dev/null 2>&1"

cat >"$T/case.nix" <<EOF
{
  # the test host is a container: no udev, so no device units to wait for (host.nix leaves them out)
  boot.isContainer = true;
  nixos-nspawn.package = { type = "derivation"; name = "nixos-nspawn"; outPath = "$prefix"; };
  nixos-nspawn.containers.$name = {
    path = "$toplevel";
    closureFile = "$TH_SHARED/bridge-closure";
    network.bridge = "$bridge";
  };
  nixos-nspawn.containers.$mv = {
    path = "$toplevel";
    closureFile = "$TH_SHARED/bridge-closure";
    network.veth.enable = false;
    network.macvlans = [ "$parent" ];
  };
}
EOF
nixos_render b1 "$T/case.nix"; _report $? "nixos-eval renders the module's files" "$(tail -n 5 "$T/b1.log")"
th_exec ln -sfn "$prefix/lib/systemd/system/nixos-nspawn@.service" /run/systemd/system/nixos-nspawn@.service
nixos_activate "$T/empty" "$T/b1"
th_sh 'for i in $(seq 300); do s=$(systemctl is-active "nixos-nspawn@$1"); [ "$s" = active ] || [ "$s" = failed ] && break; sleep 0.1; done' "$name"
assert_eq "it boots and is ready" "$(th_exec systemctl is-active "nixos-nspawn@$name")" active
ok "its host end is a port of $bridge" th_sh 'ls /sys/class/net/$1/brif/ | grep -q .' "$bridge"
# (the fixture's Debian has networkctl, not ip)
th_sh 'for i in $(seq 300); do machinectl -q shell "$1" /bin/networkctl status host0 2>/dev/null | grep -q "10\.98\.0\.[0-9]* (DHCP4 via 10\.98\.0\.1)" && exit 0; sleep 0.1; done; exit 1' "$name"
_report $? "the container gets an address from the bridge's network (its DHCP server)" "$(th_exec machinectl -q shell "$name" /bin/networkctl status host0 --no-pager 2>&1 | head -n 30)"
addr=$(th_exec machinectl -q shell "$name" /bin/networkctl status host0 --no-pager 2>/dev/null | grep -o '10\.98\.0\.[0-9]*' | head -n 1)
ok "the host reaches it through the bridge ($addr)" th_exec ping -c1 -W2 "$addr"

th_sh 'for i in $(seq 300); do s=$(systemctl is-active "nixos-nspawn@$1"); [ "$s" = active ] || [ "$s" = failed ] && break; sleep 0.1; done' "$mv"
assert_eq "macvlan: it boots and is ready" "$(th_exec systemctl is-active "nixos-nspawn@$mv")" active
th_sh 'for i in $(seq 300); do machinectl -q shell "$1" /bin/networkctl status "mv-$2" 2>/dev/null | grep -q "10\.97\.0\.[0-9]* (DHCP4 via 10\.97\.0\.1)" && exit 0; sleep 0.1; done; exit 1' "$mv" "$parent"
_report $? "macvlan: mv-$parent inside gets an address from the parent's network" "$(th_exec machinectl -q shell "$mv" /bin/networkctl --no-pager 2>&1 | head -n 20)"
assert_eq "macvlan: no veth" "$(th_sh 'ls /sys/class/net | grep -c "^ve-$1"' "$mv")" 0
