#!/bin/bash
# The NixOS module end to end: the units, settings files and drop-ins that nixos/host.nix renders (nixos-eval,
# OUTPUT=units: NixOS's own unit rendering) for a container whose `path` is the store-only boot fixture, installed
# into the systemd test host as NixOS would install them, with the package at a `make install` prefix. Then, with
# real systemd, machined and networkd: it boots and is ready, machinectl shell works, both veth ends are
# configured by networkd, a forwarded port answers, a host service placed in its namespace reaches it, a changed
# configuration restarts it, and a removed one stops.
. "$(dirname "$0")/lib.sh"
th_need
NIXOS_EVAL=${NIXOS_EVAL:-$TOP/../shared/nixos-eval}
[ -x "$NIXOS_EVAL/eval.sh" ] || skip_rest "nixos-eval is absent ($NIXOS_EVAL)"
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
# render NAME FILE: host.nix + FILE → $T/NAME (a root-like tree)
render() {
	rm -rf "$T/$1"
	OUTPUT=units OUT_DIR=$T/$1 NIXOS_EVAL_PACKAGE_UNITS="nixos-nspawn@.service systemd-nspawn@.service" \
		"$NIXOS_EVAL/eval.sh" "$TOP/nixos/host.nix" "$2" >"$T/$1.log" 2>&1
}
# What the installation sees of a rendered tree: our units (of this test's names), our settings files
ours() { (cd "$1/etc" && find systemd/system nixos-nspawn -mindepth 1 \( -type f -o -type l \) 2>/dev/null |
	grep -E "nixos-nspawn@($name|$static)|systemd-nspawn@($name|$static)|nixos-nspawn-fwd-$name|$probe|nixos-nspawn/($name|$static)\\.") | sort; }

# activate OLD NEW: what `nixos-rebuild switch` does, for the files of this test (switch-to-configuration
# cannot run here): units whose file or drop-in changed and that are active are stopped before the new files are
# installed and started after (NixOS's default stopIfChanged); then machines.target is started, which starts
# what it newly wants. Unit files go to /run/systemd/system (gone with the test host), settings to /etc.
# The fake store path of systemd's tools in the rendered units becomes the test host's /usr.
activate() {
	local old=$1 new=$2 f unit changed=()
	for unit in $( { ours "$old"; ours "$new"; } 2>/dev/null | grep '^systemd/system/' | sed -E 's|^systemd/system/||; s|\.d/.*||; s|\.wants/.*||; s|/.*||' | sort -u); do
		if ! diff -rq "$old/etc/systemd/system/$unit" "$new/etc/systemd/system/$unit" >/dev/null 2>&1 ||
			! diff -rq "$old/etc/systemd/system/$unit.d" "$new/etc/systemd/system/$unit.d" >/dev/null 2>&1; then
			th_exec systemctl -q is-active "$unit" && changed+=("$unit")
		fi
	done
	[ ${#changed[@]} = 0 ] || th_exec systemctl stop "${changed[@]}"
	for f in $(ours "$old"); do
		case $f in systemd/system/*) th_exec rm -f "/run/$f" ;; *) th_exec rm -f "/etc/$f" ;; esac
	done
	for f in $(ours "$new"); do
		case $f in
		systemd/system/*)
			th_exec mkdir -p "/run/$(dirname "$f")"
			if [ -L "$new/etc/$f" ]; then th_exec ln -sfn "$(readlink "$new/etc/$f")" "/run/$f"
			else sed 's|/nix/store/00000000000000000000000000000000-systemd/|/usr/|g' "$new/etc/$f" | th_sh 'cat > "/run/$1"' "$f"; fi ;;
		*) th_exec mkdir -p "/etc/$(dirname "$f")"; th_sh 'cat > "/etc/$1"' "$f" <"$new/etc/$f" ;;
		esac
	done
	# NixOS's tmpfiles rules of these containers (systemd-tmpfiles --create runs at activation)
	grep -hE "/var/lib/machines/($name|$static) " "$new/etc/tmpfiles.d/00-nixos.conf" 2>/dev/null | th_sh 'mkdir -p /run/tmpfiles.d && cat > /run/tmpfiles.d/$1.conf && systemd-tmpfiles --create /run/tmpfiles.d/$1.conf' "$name"
	th_exec systemctl daemon-reload
	for unit in "${changed[@]}"; do
		[ -e "$new/etc/systemd/system/$unit" ] || [ -e "$new/etc/systemd/system/$unit.d" ] && th_exec systemctl start "$unit"
	done
	th_exec systemctl start machines.target
}
mkdir -p "$T/empty/etc"
at_exit "th_exec systemctl stop nixos-nspawn@$name.service nixos-nspawn@$static.service systemd-nspawn@$name.service nixos-nspawn-fwd-$name-$port.socket >/dev/null 2>&1; th_sh 'rm -rf /run/systemd/system/*$name* /run/systemd/system/*$static* /etc/nixos-nspawn/$name.* /etc/nixos-nspawn/$static.* /run/systemd/system/machines.target.wants/*$name* /run/systemd/system/machines.target.wants/*$static* /run/systemd/system/nixos-nspawn@.service /var/lib/machines/$name /var/lib/machines/$static /run/tmpfiles.d/$name.conf; systemctl daemon-reload'"

# --- install what the module rendered ---
case_file "$T/v1.nix" "binds.\"/srv/state\" = { hostPath = \"$TH_SHARED/state\"; readOnly = true; };"
render v1 "$T/v1.nix"; _report $? "nixos-eval renders the module's files" "$(tail -n 5 "$T/v1.log")"
# the template the package ships (systemd.packages): NixOS links it into the unit path
th_exec ln -sfn "$prefix/lib/systemd/system/nixos-nspawn@.service" /run/systemd/system/nixos-nspawn@.service
activate "$T/empty" "$T/v1"
assert_eq "the settings file is where nixos-nspawnctl looks" \
	"$(th_sh 'grep -c "NIXOS_NSPAWN_ORIGIN=declarative" /etc/nixos-nspawn/$1.conf' "$name")" 1

# --- it boots and is ready ---
th_sh 'for i in $(seq 300); do s=$(systemctl is-active "nixos-nspawn@$1"); [ "$s" = active ] || [ "$s" = failed ] && break; sleep 0.1; done' "$name"
assert_eq "machines.target starts it (autoStart), and it is active only once ready" \
	"$(th_exec systemctl is-active "nixos-nspawn@$name") $(th_exec systemctl -M "$name" is-system-running 2>&1)" "active running"
[ "$(th_exec systemctl is-active "nixos-nspawn@$name")" = active ] || { th_unit_diag "nixos-nspawn@$name"; skip_rest "the container did not start"; }
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
render v2 "$T/v2.nix"; _report $? "nixos-eval renders the changed configuration" "$(tail -n 5 "$T/v2.log")"
ok "…whose unit differs (restart triggers)" bash -c "! diff -q '$T/v1/etc/systemd/system/nixos-nspawn@$name.service.d/overrides.conf' '$T/v2/etc/systemd/system/nixos-nspawn@$name.service.d/overrides.conf'"
activate "$T/v1" "$T/v2"
after=$(th_exec machinectl show "$name" -p Leader --value 2>/dev/null)
assert_eq "a changed configuration restarts it (a new leader, active)" \
	"$([ -n "$after" ] && [ "$after" != "$leader" ] && echo restarted) $(th_exec systemctl is-active "nixos-nspawn@$name")" "restarted active"
assert_eq "…with the new settings (a tmpfs at /scratch)" \
	"$(th_exec machinectl -q shell "$name" /bin/sh -c 'stat -f -c %T /scratch' 2>/dev/null | tr -d '\r')" "tmpfs"
ok "…and its forward socket again" th_exec systemctl -q is-active "nixos-nspawn-fwd-$name-$port.socket"

# --- a removed one stops ---
case_file "$T/v3.nix" ""
render v3 "$T/v3.nix"; _report $? "nixos-eval renders the configuration without it" "$(tail -n 5 "$T/v3.log")"
activate "$T/v2" "$T/v3"
th_sh 'for i in $(seq 100); do machinectl show "$1" >/dev/null 2>&1 || exit 0; sleep 0.1; done; exit 1' "$name"
assert_eq "a removed container stops (unit inactive, machine gone)" \
	"$(th_exec systemctl is-active "nixos-nspawn@$name") $(th_exec machinectl show "$name" >/dev/null 2>&1 && echo registered || echo gone)" "inactive gone"
assert_eq "…both of them" "$(th_exec systemctl is-active "nixos-nspawn@$static")" inactive
assert_eq "…and its forward socket" "$(th_exec systemctl is-active "nixos-nspawn-fwd-$name-$port.socket")" inactive
