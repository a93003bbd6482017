#!/bin/bash
# activation.strategy = "switch" end to end: the module's rendered unit for a container, then a new toplevel.
# switch-to-configuration's rule (nixos-lib.sh) finds only X-Reload-Triggers= changed and reloads the unit; its
# ExecReload= runs nixos-nspawnctl's live update with the system and closure of the new settings file: the same
# PID 1 runs the new system's switch-to-configuration test, the new paths are there. Any other change restarts.
# The toplevels come from the <nixpkgs/nixos> stand-in (checks/fixtures/nixpkgs-standin), built on the host.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/nixos-lib.sh"
th_need
command -v nix-build >/dev/null || skip_rest "Nix is absent"
[ -x "$BUILD/helpers/sdnotify" ] || skip_rest "build first: no sdnotify helper"
fixture standin "$BUILD/helpers/sdnotify"
export NIX_REMOTE=local NIX_PATH="nixpkgs=$nixpkgs" NIX_CONFIG=$'sandbox = false\nbuild-users-group =\nsubstituters ='

name=nxw$$ # unique: other harnesses may run the same scenario
prefix=$TH_SHARED/switch-prefix
CTL=$prefix/bin/nixos-nspawnctl
nixos_ours_re="nixos-nspawn@$name|systemd-nspawn@$name|nixos-nspawn/$name\\."
nixos_machines_re=$name

# toplevel FILE → a stand-in NixOS system; its closure in FILE.closure
toplevel() {
	local top
	top=$(nix-build --no-out-link --expr '{ cfg }: (import <nixpkgs/nixos> { configuration = /. + cfg; }).system' \
		--argstr cfg "$1" 2>/dev/null) || return 1
	ln -sfn "$top" "$1.root" # a GC root while the test runs
	nix-store -qR "$top" >"$1.closure"
	echo "$top"
}
printf '{ fixture.hostName = "%s"; fixture.files.base = "one"; }\n' "$name" >"$TH_SHARED/sw1.nix"
printf '{ fixture.hostName = "%s"; fixture.files.base = "one"; fixture.files.added = "two"; }\n' "$name" >"$TH_SHARED/sw2.nix"
sys1=$(toplevel "$TH_SHARED/sw1.nix") && sys2=$(toplevel "$TH_SHARED/sw2.nix") || { _report 1 "the stand-in systems build"; exit 1; }
added=$(grep -- '-added$' "$TH_SHARED/sw2.nix.closure")
ok "make install into a prefix (the package, with nixos-nspawnctl)" make -s -C "$TOP" install PREFIX="$prefix"

# case_file FILE SYSTEM EXTRA: the host configuration with one container of strategy switch
case_file() {
	cat >"$1" <<-EOF
		{
		  nixos-nspawn.package = { type = "derivation"; name = "nixos-nspawn"; outPath = "$prefix"; };
		  nixos-nspawn.containers.$name = {
		    path = "$2";
		    closureFile = "$TH_SHARED/$3.closure";
		    activation.strategy = "switch";
		    network.veth.enable = false;
		    $4
		  };
		}
	EOF
}
at_exit "th_exec systemctl stop nixos-nspawn@$name.service >/dev/null 2>&1; th_sh 'rm -rf /run/systemd/system/*$name* /etc/nixos-nspawn/$name.* /run/systemd/system/machines.target.wants/*$name* /var/lib/machines/$name /run/tmpfiles.d/nixos-test-$$.conf; systemctl daemon-reload'"

case_file "$T/g1.nix" "$sys1" sw1.nix ""
nixos_render g1 "$T/g1.nix"; _report $? "nixos-eval renders generation 1" "$(tail -n 5 "$T/g1.log")"
th_exec ln -sfn "$prefix/lib/systemd/system/nixos-nspawn@.service" /run/systemd/system/nixos-nspawn@.service
nixos_activate "$T/empty" "$T/g1"
th_sh 'for i in $(seq 300); do s=$(systemctl is-active "nixos-nspawn@$1"); [ "$s" = active ] || [ "$s" = failed ] && break; sleep 0.1; done' "$name"
assert_eq "generation 1 runs" "$(th_exec systemctl is-active "nixos-nspawn@$name") $(th_exec "$CTL" run "$name" -- cat /run/fixture/booted 2>&1)" "active 1 $sys1"
leader=$(th_exec machinectl show "$name" -p Leader --value)

# --- a new toplevel: reloaded, switched live ---
case_file "$T/g2.nix" "$sys2" sw2.nix ""
nixos_render g2 "$T/g2.nix"; _report $? "nixos-eval renders generation 2" "$(tail -n 5 "$T/g2.log")"
nixos_activate "$T/g1" "$T/g2"
assert_eq "switch-to-configuration's rule reloads the unit (only X-Reload-Triggers= changed)" \
	"reload: $nixos_reloaded restart: $nixos_restarted" "reload: nixos-nspawn@$name.service restart: "
assert_eq "the same PID 1, still active" "$(th_exec machinectl show "$name" -p Leader --value) $(th_exec systemctl is-active "nixos-nspawn@$name")" "$leader active"
assert_eq "ExecReload ran the new system's switch-to-configuration test inside" \
	"$(th_exec "$CTL" run "$name" -- cat /run/fixture/switched 2>&1)" "test $sys2 pid1=init"
assert_eq "…with the new closure's paths" "$(th_exec "$CTL" run "$name" -- cat "$added/content" 2>&1)" "two"

# --- anything else: a restart ---
case_file "$T/g3.nix" "$sys2" sw2.nix 'tmpfs = [ "/scratch" ];'
nixos_render g3 "$T/g3.nix"; _report $? "nixos-eval renders generation 2 with a tmpfs more" "$(tail -n 5 "$T/g3.log")"
nixos_activate "$T/g2" "$T/g3"
th_sh 'for i in $(seq 300); do [ "$(systemctl is-active "nixos-nspawn@$1")" = active ] && exit 0; sleep 0.1; done' "$name"
assert_eq "a changed tmpfs restarts it (a new PID 1, booted from generation 2)" \
	"$nixos_restarted $([ "$(th_exec machinectl show "$name" -p Leader --value 2>&1)" != "$leader" ] && echo new) $(th_exec "$CTL" run "$name" -- cat /run/fixture/booted 2>&1)" \
	"nixos-nspawn@$name.service new 1 $sys2"
