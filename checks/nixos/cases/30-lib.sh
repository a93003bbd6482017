# shellcheck shell=bash
# nixos/lib.nix: containers of a project flake on a host without NixOS, and the guest module's settings.

render lib "$TOP/checks/nixos/cases/lib-containers.nix"
_report $? "lib.mkContainers: evaluates" "$(tail -n 5 "$T/lib.err")"
d=$T/lib/etc/lib-test
assert_match "lib: the toplevel is the container's NixOS system" "$(cat "$d/toplevel")" '^/nix/store/[0-9a-z]{32}-nixos-system-db-'
assert_eq "lib: its closure goes to the launcher" "$(head -n 1 "$d/args")" "--closure=$(cat "$d/closure")"
assert_eq "lib: the same options as the host module (binds, network fragments in the store)" \
	"$(sed -n '5,7p' "$d/args" | sed -E 's|/nix/store/[0-9a-z]{32}-|STORE-|')" "--bind=/srv/db:/var/lib/postgresql:foreign
--network-veth
--network-veth-container-config=STORE-nixos-nspawn-db-container.network"
assert_match "lib: db-up starts it as a transient notify unit with a delegated cgroup" "$(cat "$d/db-up")" \
	"systemd-run --quiet --unit=nixos-nspawn-db .*-p Type=notify -p Delegate=yes -p KillMode=mixed"
assert_match "lib: …running the launcher with the arguments, shell-quoted" "$(cat "$d/db-up")" \
	"bin/nixos-nspawn --quiet '--machine=db' '--closure=/nix/store/"
assert_match "lib: db-up creates the missing bind source for the foreign range's root, and only a missing one" "$(cat "$d/db-up")" \
	"\\[ -e /srv/db \\] \\|\\| install -d -m 0755 -o 2147352576 -g 2147352576 /srv/db"
assert_match "lib: db-down stops that unit" "$(cat "$d/db-down")" "systemctl stop nixos-nspawn-db.service"
assert_match "lib: db-shell is machinectl shell" "$(cat "$d/db-shell")" "exec machinectl shell db"
assert_eq "lib: the runner holds the three" "$(cat "$d/runner")" db-runner
out=$(cd "$T" && printf '{ lib, pkgs, ... }: { environment.etc.x.text = toString ((import %s/nixos/lib.nix { inherit lib; }).mkContainers { inherit pkgs; containers.web = { config = { }; forwardPorts = [ { hostPort = 80; } ]; }; }).web.toplevel; }\n' "$TOP" >"$T/libbad.nix" &&
	"$NIXOS_EVAL/eval.sh" "$TOP/nixos/host.nix" "$T/libbad.nix" 2>&1)
assert_match "lib: a port forward is refused with a message (it needs the host module)" "$out" "nixos-nspawn.containers.web.forwardPorts: needs the NixOS host module"
assert_match "lib: flake apps db-up, db-down, db-shell" "$(cat "$d/apps")" \
	"^db-down=app:/nix/store/[0-9a-z]{32}-db-down/bin/db-down db-shell=app:.*/bin/db-shell db-up=app:.*/bin/db-up\$"
assert_eq "lib: the launcher's check comes with the runner" "$(cat "$d/check")" nixos-nspawn-check-db
libbad() { # CONTAINER-ATTRS: mkContainers' message for containers.web = { config = { }; ATTRS }
	printf '{ lib, pkgs, ... }: { environment.etc.x.text = toString ((import %s/nixos/lib.nix { inherit lib; }).mkContainers { inherit pkgs; containers.web = { config = { }; %s }; }).web.toplevel; }\n' "$TOP" "$1" >"$T/libbad.nix"
	"$NIXOS_EVAL/eval.sh" "$TOP/nixos/host.nix" "$T/libbad.nix" 2>&1
}
for o in 'serviceConfig.MemoryMax = "1G";' 'autoStart = false;' 'restartIfChanged = false;' 'activation.strategy = "switch";'; do
	assert_match "lib: '$o' cannot be honoured: an error naming it" "$(libbad "$o")" \
		"nixos-nspawn.containers.web.${o%%[.= ]*}: lib.mkContainers cannot honour it"
done
assert_match "lib: a misspelled key in network.veth.config is an error, not an empty override" \
	"$(libbad 'network.veth.config.container.networkConfg.DHCP = "yes";')" \
	"nixos-nspawn.containers.web.network.veth.config.container: networkConfg = '\{\"DHCP\":\"yes\"\}': not taken into the launcher's override file"

# --- the guest module, as the container's toplevel renders it ---
top=$(sed -n 's/^NIXOS_NSPAWN_SYSTEM=//p' "$T/htop/etc/nixos-nspawn/mycontainer.conf")
g=$T/htop$top/etc
ok "guest: networkd is enabled inside (networkd.conf rendered)" test -f "$g/systemd/networkd.conf"
s=$("$NIXOS_EVAL/eval.sh" "$TOP/nixos/container.nix" 2>/dev/null | jq -c '[.summary.boot.isContainer, .summary.networking.useNetworkd, .summary.networking.useHostResolvConf, .summary.services.resolved.enable, .summary.networking.firewall.interfaces.host0.allowedUDPPorts]')
assert_eq "guest: container, networkd, resolved (not the host's resolv.conf), mDNS open on host0" "$s" '[true,true,false,true,[5353]]'
s=$(OUTPUT=full "$NIXOS_EVAL/eval.sh" "$TOP/nixos/container.nix" 2>/dev/null | jq -c '[.forced["nix.enable"], .forced["users.users"].root.hashedPassword]' 2>&1)
assert_eq "guest: no nix-daemon, root locked (not empty)" "$s" '[false,"!"]'

# --- nixos-nspawn.imports and specialArgs ---
render imp "$TOP/checks/nixos/cases/imports.nix"
_report $? "imports: evaluates and renders" "$(tail -n 5 "$T/imp.err")"
for c in one two; do
	top=$(sed -n 's/^NIXOS_NSPAWN_SYSTEM=//p' "$T/imp/etc/nixos-nspawn/$c.conf")
	assert_eq "imports: applied to container $c" "$(cat "$T/imp$top/etc/motd" 2>&1)" "an ephemeral nixos-nspawn container"
done
assert_eq "specialArgs: reach the container's modules" "$(cat "$T/imp$top/etc/site" 2>&1)" "lab-7"
