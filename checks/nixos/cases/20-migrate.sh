# shellcheck shell=bash
# The nixpkgs-containers configurations users migrate from: bind mounts, port forwarding, macvlan, a bridge.

render binds "$TOP/checks/nixos/cases/migrate-binds.nix"
_report $? "binds: evaluates and renders" "$(tail -n 5 "$T/binds.err")"
d=$T/binds
a=$(launcher_args "$d" db)
assert_eq "binds: read-write, in the foreign UID range by default" "$(grep -- '^--bind=/srv/db' <<<"$a")" "--bind=/srv/db:/var/lib/postgresql:foreign"
assert_eq "binds: read-only" "$(grep -- '^--bind-ro=' <<<"$a")" "--bind-ro=/etc/ssl/certs/ca.pem:/etc/ssl/certs/ca.pem:idmap"
assert_eq "binds: no idmap when asked, host path defaults to the container path" "$(grep -- '^--bind=/srv/shared' <<<"$a")" "--bind=/srv/shared:/srv/shared:noidmap"
assert_eq "tmpfs" "$(grep -- '^--tmpfs=' <<<"$a" | xargs)" "--tmpfs=/var/cache --tmpfs=/scratch:0700"
assert_eq "credentials: a file is read at start, by path (never copied into the store)" \
	"$(grep -- '^--load-credential=db-password' <<<"$a")" "--load-credential=db-password:/run/secrets/db"
assert_match "credentials: text is a store file" "$(grep -- '^--load-credential=ca-url' <<<"$a")" \
	'^--load-credential=ca-url:/nix/store/[0-9a-z]{32}-nixos-nspawn-db-credential-ca-url$'
ok "credentials: a text value is not in the settings file either" bash -c "! grep -q 'ca.example' '$d/etc/nixos-nspawn/db.conf'"
u=$(unit_dropin "$d" nixos-nspawn@db.service)
assert_eq "unit settings reach the unit: MemoryMax" "$(key_of "$u" MemoryMax)" 2G
assert_eq "timeoutStartSec" "$(key_of "$u" TimeoutStartSec)" 10min
assert_eq "restart = \"always\" reaches the unit" "$(key_of "$u" Restart)" always
assert_eq "linkJournal = \"no\": the journal stays in the container" "$(grep -- '^--link-journal' <<<"$a")" "--link-journal=no"
ok "autoStart = false: not wanted by machines.target" test ! -e "$d/etc/systemd/system/machines.target.wants/nixos-nspawn@db.service"

render fwd "$TOP/checks/nixos/cases/migrate-forward.nix"
_report $? "forwardPorts: evaluates and renders" "$(tail -n 5 "$T/fwd.err")"
d=$T/fwd
ok "forwardPorts: the namespace is exported" grep -q -- '--network-namespace-export' "$d/etc/nixos-nspawn/web.conf"
s=$(cat "$d/etc/systemd/system/nixos-nspawn-fwd-web-8080.socket")
a=$(launcher_args "$d" web)
assert_eq "forwardPorts: DNAT by the launcher (--port), TCP and UDP, none for loopback-only forwards" \
	"$(grep -- '^--port=' <<<"$a" | xargs)" "--port=tcp:8080:80 --port=udp:1053:53 --port=tcp:192.0.2.1:8081:81 --port=tcp:0.0.0.0:8082:82"
assert_eq "forwardPorts: the proxy only for the host's loopback (IPv4 and IPv6), which DNAT cannot reach" \
	"$(key_of "$s" ListenStream | xargs)" "127.0.0.1:8080 [::1]:8080"
ok "forwardPorts: no proxy for UDP, nor for a forward to a non-loopback address" \
	sh -c "! ls '$d/etc/systemd/system/' | grep -e 'fwd-web-1053' -e 'fwd-web-8081'"
assert_eq "forwardPorts: 0.0.0.0 (every IPv4 address) proxies IPv4's loopback only" \
	"$(key_of "$(cat "$d/etc/systemd/system/nixos-nspawn-fwd-web-8082-0-0-0-0.socket")" ListenStream)" "127.0.0.1:8082"
assert_eq "forwardPorts: …started and stopped with the container" "$(key_of "$s" PartOf)" nixos-nspawn@web.service
ok "forwardPorts: …wanted by the container's unit" test -L "$d/etc/systemd/system/nixos-nspawn@web.service.wants/nixos-nspawn-fwd-web-8080.socket"
p=$(cat "$d/etc/systemd/system/nixos-nspawn-fwd-web-8080.service")
assert_eq "forwardPorts: the proxy runs in the container's namespace" "$(key_of "$p" NetworkNamespacePath)" /run/netns/web
assert_match "forwardPorts: …and connects to the container port on its loopback" "$(key_of "$p" ExecStart)" 'systemd-socket-proxyd 127.0.0.1:80$'
assert_eq "forwardPorts: …bound to the container" "$(key_of "$p" BindsTo) $(key_of "$p" After | tr ' ' '\n' | grep -c nixos-nspawn@web)" "nixos-nspawn@web.service 1"
assert_eq "forwardPorts: an IPv6 host address" "$(key_of "$(cat "$d/etc/systemd/system/nixos-nspawn-fwd-web-8443---1.socket")" ListenStream)" "[::1]:8443"
assert_eq "forwardPorts: the same port on another address, a socket of its own" "$(key_of "$(cat "$d/etc/systemd/system/nixos-nspawn-fwd-web-8443-127-0-0-1.socket")" ListenStream)" "127.0.0.1:8443"
assert_eq "forwardPorts: firewall opened for TCP 8080, 8081, 8082 (openFirewall = false for 8443)" \
	"$(summary fwd "$TOP/checks/nixos/cases/migrate-forward.nix" '.summary.networking.firewall.allowedTCPPorts | sort')" "[8080,8081,8082]"
assert_eq "forwardPorts: and for UDP 1053" \
	"$(summary fwd "$TOP/checks/nixos/cases/migrate-forward.nix" '.summary.networking.firewall.allowedUDPPorts')" "[1053]"
f=$(cat "$d/etc/systemd/system/fetcher.service")
assert_eq "namespace.services: the host service joins the container's namespace" "$(key_of "$f" NetworkNamespacePath)" /run/netns/web
assert_eq "namespace.services: …bound to and ordered after the container" "$(key_of "$f" BindsTo) $(key_of "$f" After)" "nixos-nspawn@web.service nixos-nspawn@web.service"

render mv "$TOP/checks/nixos/cases/migrate-macvlan.nix"
_report $? "macvlan: evaluates and renders" "$(tail -n 5 "$T/mv.err")"
assert_eq "macvlan: a macvlan and a moved interface, no veth" \
	"$(launcher_args "$T/mv" lan | grep -v -e '^--init=' -e '^--closure=' -e '^--private-users' -e '^--link-journal' | xargs)" \
	"--network-macvlan=eth1 --network-interface=eth2"
assert_eq "macvlan: no ve-/vz- firewall openings without a veth" \
	"$(summary mv "$TOP/checks/nixos/cases/migrate-macvlan.nix" '.summary.networking.firewall.interfaces | keys')" "[]"

render br "$TOP/checks/nixos/cases/migrate-bridge.nix"
_report $? "bridge: evaluates and renders" "$(tail -n 5 "$T/br.err")"
assert_eq "bridge: joins the host's bridge with --network-bridge" "$(launcher_args "$T/br" br | grep -- '^--network' | xargs)" "--network-bridge=br0"
assert_eq "zone: both containers in zone lab" "$(arg_value "$T/br" z1 --network-zone) $(arg_value "$T/br" z2 --network-zone)" "lab lab"
assert_eq "zone: DHCP and mDNS open on the zone bridges" \
	"$(summary br "$TOP/checks/nixos/cases/migrate-bridge.nix" '.summary.networking.firewall.interfaces | keys')" '["vz-+"]'

render sw "$TOP/checks/nixos/cases/switch.nix"
_report $? "switch: evaluates and renders" "$(tail -n 5 "$T/sw.err")"
d=$T/sw
u=$(unit_dropin "$d" nixos-nspawn@live.service)
sys=$(sed -n 's/^NIXOS_NSPAWN_SYSTEM=//p' "$d/etc/nixos-nspawn/live.conf")
assert_eq "switch: ExecReload is nixos-nspawnctl's live update, with the system and closure of the settings file" "$(key_of "$u" ExecReload)" \
	'/nix/store/00000000000000000000000000000000-nixos-nspawn/bin/nixos-nspawnctl update %i --strategy switch --system $NIXOS_NSPAWN_SYSTEM --closure $NIXOS_NSPAWN_CLOSURE'
assert_eq "switch: …which names them" "$(sed -n 's/^NIXOS_NSPAWN_CLOSURE=//p' "$d/etc/nixos-nspawn/live.conf")" "$(arg_value "$d" live --closure)"
assert_match "switch: the toplevel is a reload trigger" "$(key_of "$u" X-Reload-Triggers)" '^/nix/store/'
assert_eq "prebuilt path + closureFile: given to the launcher as is" "$(launcher_args "$d" pre | head -n 2 | xargs)" \
	"--closure=/var/lib/deploy/pre.closure --init=/nix/store/00000000000000000000000000000000-nixos-system-pre-25.05/init"
assert_eq "prebuilt store path string: the launcher computes its closure (--store-path)" "$(launcher_args "$d" bare | head -n 1)" \
	"--store-path=/nix/store/11111111111111111111111111111111-nixos-system-bare-25.05"

# --- what changes restart, what reloads ---
# triggers CASE-FILE NAME: "RESTART RELOAD" trigger paths of container NAME's unit
triggers() {
	local o=$T/trig-$RANDOM
	OUTPUT=units OUT_DIR=$o NIXOS_EVAL_PACKAGE_UNITS="nixos-nspawn@.service" "$NIXOS_EVAL/eval.sh" "$TOP/nixos/host.nix" "$1" >/dev/null 2>&1 || { echo "eval failed"; return; }
	local u; u=$(unit_dropin "$o" "nixos-nspawn@$2.service")
	echo "$(key_of "$u" X-Restart-Triggers) $(key_of "$u" X-Reload-Triggers)"
}
variant() { # NAME BODY: a case importing switch.nix plus BODY
	printf '{ lib, ... }: { imports = [ %s ]; %s }\n' "$TOP/checks/nixos/cases/switch.nix" "$2" >"$T/$1.nix"; echo "$T/$1.nix"
}
base=$(triggers "$(variant v0 '')" live)
read -r r0 l0 <<<"$base"
read -r r1 l1 <<<"$(triggers "$(variant v1 'nixos-nspawn.containers.live.config.environment.etc."motd".text = "generation 2";')" live)"
assert_eq "switch: a new toplevel changes the reload trigger only" "$([ "$r1" = "$r0" ] && [ "$l1" != "$l0" ] && echo yes)" yes
# switch-to-configuration restarts a unit whose [Service] changed: a new toplevel must leave it as it is
unit_without_reload() { grep -v '^X-Reload-Triggers=' "$1/etc/systemd/system/nixos-nspawn@live.service.d/overrides.conf"; }
OUTPUT=units OUT_DIR=$T/sw1 NIXOS_EVAL_PACKAGE_UNITS="nixos-nspawn@.service" "$NIXOS_EVAL/eval.sh" "$TOP/nixos/host.nix" "$T/v1.nix" >/dev/null 2>&1
assert_eq "switch: …and nothing else of the unit (so switch-to-configuration reloads, not restarts)" \
	"$(unit_without_reload "$T/sw1")" "$(unit_without_reload "$d")"
read -r r2 l2 <<<"$(triggers "$(variant v2 'nixos-nspawn.containers.live.binds."/srv" = { };')" live)"
assert_eq "switch: a new bind changes the restart trigger" "$([ "$r2" != "$r0" ] && [ "$l2" = "$l0" ] && echo yes)" yes
read -r r3 _ <<<"$(triggers "$(variant v3 'nixos-nspawn.containers.live.network.veth.config.host.networkConfig.DHCPServer = false;')" live)"
read -r r3b _ <<<"$(triggers "$(variant v3b 'nixos-nspawn.containers.live.network.veth.config.host.networkConfig.DHCPServer = true;')" live)"
assert_eq "switch: changed network settings (same file, new content) change the restart trigger" "$([ "$r3" != "$r3b" ] && [ -n "$r3" ] && echo yes)" yes
read -r r4 _ <<<"$(triggers "$(variant v4 'nixos-nspawn.containers.live.credentials.k.file = "/run/k";')" live)"
assert_eq "switch: a new credential source changes the restart trigger" "$([ "$r4" != "$r0" ] && echo yes)" yes
read -r r5 l5 <<<"$(triggers "$(variant v5 'nixos-nspawn.containers.pre.activation.strategy = "switch";')" pre)"
read -r r6 l6 <<<"$(triggers "$(variant v6 'nixos-nspawn.containers.pre = { activation.strategy = "switch"; path = lib.mkForce "/nix/store/22222222222222222222222222222222-nixos-system-pre-25.11"; closureFile = lib.mkForce "/var/lib/deploy/pre-2.closure"; };')" pre)"
assert_eq "switch: a new prebuilt path with its closure file reloads (not restarts)" "$([ -n "$r5" ] && [ "$r5" = "$r6" ] && [ "$l5" != "$l6" ] && echo yes)" yes
