#!/bin/bash
# The NixOS module end to end: the units, settings files and drop-ins that nixos/host.nix renders (nixos-eval,
# OUTPUT=units: NixOS's own unit rendering) for a container whose `path` is the store-only boot fixture, installed
# into the systemd test host as NixOS would install them, with the package at a `make install` prefix. Then, with
# real systemd, machined and networkd: it boots and is ready, machinectl shell works, both veth ends are
# configured by networkd, a forwarded port answers, a host service placed in its namespace reaches it, a changed
# configuration restarts it, and a removed one stops.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/nixos-lib.sh"
th_need
fixture boot

name=nxm$$ # unique: other harnesses may run the same scenario
static=nxs$$
probe=${name}probe
port=$((20000 + $$ % 20000))
prefix=$TH_SHARED/prefix

th_nixos_toplevel
{ echo "$toplevel"; cat "$closure"; } >"$TH_SHARED/closure"

ok "make install into a prefix (the package)" make -s -C "$TOP" install PREFIX="$prefix"
mkdir -p "$TH_SHARED/state"

# case FILE [EXTRA]: the test configuration, as a NixOS user writes it; EXTRA is added to the container's settings
case_file() {
	local container=""
	[ -n "$2" ] && container="$static = {
	    path = \"$toplevel\";
	    closureFile = \"$TH_SHARED/closure\";
	    network.veth.config.host = { networkConfig.DHCPServer = false; address = [ \"fc77::1/64\" \"192.168.77.1/24\" ]; };
	    network.veth.config.container = {
	      networkConfig.DHCP = false;
	      address = [ \"fc77::2/64\" \"192.168.77.2/24\" ];
	      gateway = [ \"fc77::1\" \"192.168.77.1\" ];
	    };
	    capabilities.drop = [ \"CAP_SYS_PTRACE\" ];
	  };
	  $name = {
	    path = \"$toplevel\";
	    closureFile = \"$TH_SHARED/closure\";
	    forwardPorts = [ { hostPort = $port; containerPort = 8080; } ];
	    network.namespace.services = [ \"$probe\" ];
	    $2
	  };"
	cat >"$1" <<-EOF
		{
		  nixos-nspawn.package = { type = "derivation"; name = "nixos-nspawn"; outPath = "$prefix"; };
		  systemd.services.$probe.serviceConfig = {
		    Type = "oneshot";
		    ExecStart = "/bin/bash -c 'exec 3<>/dev/tcp/127.0.0.1/8080; cat <&3 > /run/$probe.out'";
		  };
		  nixos-nspawn.containers = { $container };
		}
	EOF
}
# what of a rendered tree is this test's (nixos_ours)
nixos_ours_re="nixos-nspawn@($name|$static)|systemd-nspawn@($name|$static)|nixos-nspawn-fwd-$name|$probe|nixos-nspawn/($name|$static)\\."
nixos_machines_re="$name|$static"
at_exit "th_exec systemctl stop nixos-nspawn@$name.service nixos-nspawn@$static.service systemd-nspawn@$name.service nixos-nspawn-fwd-$name-$port.socket >/dev/null 2>&1; th_sh 'rm -rf /run/systemd/system/*$name* /run/systemd/system/*$static* /etc/nixos-nspawn/$name.* /etc/nixos-nspawn/$static.* /run/systemd/system/machines.target.wants/*$name* /run/systemd/system/machines.target.wants/*$static* /run/systemd/system/nixos-nspawn@.service /var/lib/machines/$name /var/lib/machines/$static /run/tmpfiles.d/nixos-test-$$.conf; systemctl daemon-reload'"

# --- install what the module rendered ---
case_file "$T/v1.nix" "binds.\"/srv/state\" = { hostPath = \"$TH_SHARED/state\"; readOnly = true; };"
nixos_render v1 "$T/v1.nix"; _report $? "nixos-eval renders the module's files" "$(tail -n 5 "$T/v1.log")"
# the template the package ships (systemd.packages): NixOS links it into the unit path
th_exec ln -sfn "$prefix/lib/systemd/system/nixos-nspawn@.service" /run/systemd/system/nixos-nspawn@.service
nixos_activate "$T/empty" "$T/v1"
assert_eq "the settings file is where nixos-nspawnctl looks" \
	"$(th_sh 'grep -c "NIXOS_NSPAWN_ORIGIN=declarative" /etc/nixos-nspawn/$1.conf' "$name")" 1

# --- it boots and is ready ---
th_sh 'for i in $(seq 300); do s=$(systemctl is-active "nixos-nspawn@$1"); [ "$s" = active ] || [ "$s" = failed ] && break; sleep 0.1; done' "$name"
assert_eq "machines.target starts it (autoStart), and it is active only once ready" \
	"$(th_exec systemctl is-active "nixos-nspawn@$name") $(th_exec systemctl -M "$name" is-system-running 2>&1)" "active running"
[ "$(th_exec systemctl is-active "nixos-nspawn@$name")" = active ] || { th_unit_diag "nixos-nspawn@$name"; exit 1; }  # the claim above failed: nothing after it can hold
assert_match "machinectl knows it, with its unit" "$(th_exec machinectl status "$name" --no-pager 2>&1)" "Unit: nixos-nspawn@$name.service"
assert_eq "machinectl shell works" "$(th_exec machinectl -q shell "$name" /bin/sh -c 'echo ok' 2>/dev/null | tr -d '\r' | head -n 1)" ok
assert_eq "the store holds exactly the closure" "$(th_exec machinectl -q shell "$name" /bin/sh -c 'ls /nix/store | wc -l' 2>/dev/null | tr -d '\r ')" "$(wc -l <"$TH_SHARED/closure")"

# --- networkd on both ends ---
th_sh 'for i in $(seq 300); do networkctl status "ve-$1" 2>/dev/null | grep -qE "State: (routable|degraded) \(configured\)" && exit 0; sleep 0.1; done; exit 1' "$name"
_report $? "networkd configures the host end ve-$name" "$(th_exec networkctl status "ve-$name" --no-pager 2>&1 | head -n 8)"
th_sh 'for i in $(seq 300); do machinectl -q shell "$1" /bin/networkctl status host0 2>/dev/null | grep -qE "State: routable \(configured\)" && exit 0; sleep 0.1; done; exit 1' "$name"
_report $? "networkd inside configures host0 (a DHCP lease from the host end)" "$(th_exec machinectl -q shell "$name" /bin/networkctl status host0 --no-pager 2>&1 | head -n 12)"

# --- a forwarded port and a host service in the namespace ---
th_exec machinectl -q shell "$name" /bin/systemd-run -q --unit=hello /bin/systemd-socket-activate -l 127.0.0.1:8080 -a --inetd /bin/hostname >/dev/null 2>&1
th_sh 'for i in $(seq 50); do [ -n "$(ip netns exec "$1" ss -Htln "sport = :8080" 2>/dev/null)" ] && exit 0; sleep 0.1; done' "$name"
assert_eq "the forwarded host port answers (IPv4), from the container's 127.0.0.1:8080" \
	"$(th_exec timeout 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port; cat <&3")" "$name"
assert_eq "…and over IPv6" "$(th_exec timeout 10 bash -c "exec 3<>/dev/tcp/::1/$port; cat <&3")" "$name"
th_sh 'for i in $(seq 100); do nft list chain inet nixos-nspawn "pre-$1" | grep -q "dport $2 dnat ip to" && exit 0; sleep 0.1; done; exit 1' "$name" "$port"
_report $? "forwardPorts reach the launcher as --port: DNAT to the container's leased address" "$(th_exec nft list table inet nixos-nspawn 2>&1)"
th_exec systemctl start "$probe"
assert_eq "a host service placed in its namespace reaches it at 127.0.0.1" "$(th_exec cat "/run/$probe.out" 2>&1)" "$name"

# --- the static addresses of the original README's third example, through the launcher's override files ---
th_sh 'for i in $(seq 300); do ping -c1 -W1 192.168.77.2 >/dev/null 2>&1 && exit 0; sleep 0.1; done; exit 1'
_report $? "static: the host reaches the container at 192.168.77.2 (both ends from network.veth.config)" "$(th_exec ip addr show dev "ve-$static" 2>&1)"
th_sh 'for i in $(seq 300); do ping -6 -c1 -W1 fc77::2 >/dev/null 2>&1 && exit 0; sleep 0.1; done; exit 1'
_report $? "static: …and at fc77::2"
assert_eq "static: the pool address was replaced on the host end" "$(th_exec ip -4 -o addr show dev "ve-$static" scope global | awk '{print $4}' | xargs)" "192.168.77.1/24"
assert_eq "capabilities.drop: CAP_SYS_PTRACE is not in PID 1's bounding set" \
	"$(th_exec machinectl -q shell "$static" /bin/sh -c 'echo $(( (0x$(sed -n "s/^CapBnd:[[:space:]]*//p" /proc/1/status) >> 19) & 1 ))' 2>/dev/null | tr -d '\r')" 0
assert_eq "…while the other container has it" \
	"$(th_exec machinectl -q shell "$name" /bin/sh -c 'echo $(( (0x$(sed -n "s/^CapBnd:[[:space:]]*//p" /proc/1/status) >> 19) & 1 ))' 2>/dev/null | tr -d '\r')" 1

# --- machinectl start runs the same container through systemd-nspawn@NAME ---
th_exec systemctl stop "nixos-nspawn@$static"
th_exec machinectl start "$static"
th_sh 'for i in $(seq 300); do [ "$(systemctl -M "$1" is-system-running 2>/dev/null)" = running ] && exit 0; sleep 0.1; done; exit 1' "$static"
assert_eq "machinectl start NAME runs it through the module's systemd-nspawn@ drop-in" \
	"$(th_exec systemctl is-active "systemd-nspawn@$static") $(th_exec machinectl show "$static" -p Service --value)" "active nixos-nspawn"
th_exec machinectl stop "$static"
th_sh 'for i in $(seq 100); do case $(systemctl is-active "systemd-nspawn@$1") in inactive|failed) break;; esac; sleep 0.1; done' "$static"
th_exec systemctl start "nixos-nspawn@$static"

# --- a changed configuration restarts it ---
leader=$(th_exec machinectl show "$name" -p Leader --value)
echo hello >"$TH_SHARED/state/hello"
case_file "$T/v2.nix" "binds.\"/srv/state\" = { hostPath = \"$TH_SHARED/state\"; readOnly = true; }; tmpfs = [ \"/scratch\" ];"
nixos_render v2 "$T/v2.nix"; _report $? "nixos-eval renders the changed configuration" "$(tail -n 5 "$T/v2.log")"
ok "…whose unit differs (restart triggers)" bash -c "! diff -q '$T/v1/etc/systemd/system/nixos-nspawn@$name.service.d/overrides.conf' '$T/v2/etc/systemd/system/nixos-nspawn@$name.service.d/overrides.conf'"
nixos_activate "$T/v1" "$T/v2"
after=$(th_exec machinectl show "$name" -p Leader --value 2>/dev/null)
assert_eq "a changed configuration restarts it (a new leader, active)" \
	"$([ -n "$after" ] && [ "$after" != "$leader" ] && echo restarted) $(th_exec systemctl is-active "nixos-nspawn@$name")" "restarted active"
assert_eq "…with the new settings (a tmpfs at /scratch)" \
	"$(th_exec machinectl -q shell "$name" /bin/sh -c 'stat -f -c %T /scratch' 2>/dev/null | tr -d '\r')" "tmpfs"
ok "…and its forward socket again" th_exec systemctl -q is-active "nixos-nspawn-fwd-$name-$port.socket"

# --- a removed one stops ---
case_file "$T/v3.nix" ""
nixos_render v3 "$T/v3.nix"; _report $? "nixos-eval renders the configuration without it" "$(tail -n 5 "$T/v3.log")"
nixos_activate "$T/v2" "$T/v3"
th_sh 'for i in $(seq 100); do machinectl show "$1" >/dev/null 2>&1 || exit 0; sleep 0.1; done; exit 1' "$name"
assert_eq "a removed container stops (unit inactive, machine gone)" \
	"$(th_exec systemctl is-active "nixos-nspawn@$name") $(th_exec machinectl show "$name" >/dev/null 2>&1 && echo registered || echo gone)" "inactive gone"
assert_eq "…both of them" "$(th_exec systemctl is-active "nixos-nspawn@$static")" inactive
assert_eq "…and its forward socket" "$(th_exec systemctl is-active "nixos-nspawn-fwd-$name-$port.socket")" inactive
