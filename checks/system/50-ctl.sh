#!/bin/bash
# nixos-nspawnctl with systemd: in the systemd test host, a container is the unit nixos-nspawn@NAME, driven over
# the system bus (start waits for the unit's READY=1, stop and restart are jobs, state is the unit's), and the
# NixOS module's live update runs as it does there: `systemctl reload` calls, from the unit's ExecReload=,
#   nixos-nspawnctl update NAME --strategy switch --system TOPLEVEL --closure FILE
# The systems come from the <nixpkgs/nixos> stand-in, built on the host (the test host has no Nix of its own; the
# verbs that build and keep generations are checked without systemd, in checks/integration/90-ctl.sh).
. "$(dirname "$0")/lib.sh"
th_need
command -v nix-build >/dev/null || skip_rest "Nix is absent"
[ -x "$BUILD/helpers/sdnotify" ] || skip_rest "build first: no sdnotify helper"
fixture standin "$BUILD/helpers/sdnotify"
export NIX_REMOTE=local NIX_PATH="nixpkgs=$nixpkgs" NIX_CONFIG=$'sandbox = false\nbuild-users-group =\nsubstituters ='

name=ctls$$ # unique: other harnesses may run the same scenario
prefix=$TH_SHARED/prefix
CTL=$prefix/bin/nixos-nspawnctl

# Two generations: the second adds a store path
build() { # FILE → toplevel; its closure in FILE.closure
	local top
	top=$(nix-build --no-out-link --expr '{ cfg }: (import <nixpkgs/nixos> { configuration = /. + cfg; }).system' \
		--argstr cfg "$1" 2>/dev/null) || return 1
	ln -sfn "$top" "$1.root" # a GC root while the test runs
	nix-store -qR "$top" >"$1.closure"
	echo "$top"
}
# (a slow boot: start must wait for it)
printf '{ fixture.hostName = "sys"; fixture.files.base = "one"; fixture.readyDelay = 2; }\n' >"$TH_SHARED/gen1.nix"
printf '{ fixture.hostName = "sys"; fixture.files.base = "one"; fixture.files.added = "two"; }\n' >"$TH_SHARED/gen2.nix"
sys1=$(build "$TH_SHARED/gen1.nix") && sys2=$(build "$TH_SHARED/gen2.nix") || { _report 1 "the stand-in systems build"; exit 1; }
added=$(grep -- '-added$' "$TH_SHARED/gen2.nix.closure")

ok "make install into a prefix" make -s -C "$TOP" install PREFIX="$prefix"
at_exit "th_exec systemctl stop nixos-nspawn@$name.service >/dev/null 2>&1; th_sh 'rm -rf /etc/nixos-nspawn/$name.conf /run/systemd/system/nixos-nspawn@$name.service.d; systemctl daemon-reload'"
th_exec ln -sfn "$prefix/lib/systemd/system/nixos-nspawn@.service" /run/systemd/system/nixos-nspawn@.service
# The settings and the reload drop-in as the NixOS module writes them for activation.strategy = "switch"
th_sh 'mkdir -p /etc/nixos-nspawn /run/systemd/system/nixos-nspawn@$1.service.d
printf "NIXOS_NSPAWN_ARGS=\"--closure=%s --init=%s/init --private-network\"\nNIXOS_NSPAWN_SYSTEM=%s\nNIXOS_NSPAWN_ORIGIN=declarative\n" "$2.closure" "$3" "$3" >/etc/nixos-nspawn/$1.conf
printf "[Service]\nExecReload=%s update %%i --strategy switch --system %s --closure %s\n" "$5" "$4" "$6.closure" >/run/systemd/system/nixos-nspawn@$1.service.d/reload.conf
systemctl daemon-reload' "$name" "$TH_SHARED/gen1.nix" "$sys1" "$sys2" "$CTL" "$TH_SHARED/gen2.nix"

start=${EPOCHREALTIME/[.,]/}
th_exec "$CTL" start "$name" >"$T/start.out" 2>&1
_report $? "start: through the unit, returns when it is ready" "$(cat "$T/start.out"; th_unit_diag "nixos-nspawn@$name")"
echo "# start through the unit (to READY=1): $(((${EPOCHREALTIME/[.,]/} - start) / 1000)) ms"
assert_eq "the unit is active at once (the boot took 2 s)" "$(th_exec systemctl is-active "nixos-nspawn@$name")" "active"
assert_eq "state: running" "$(th_exec "$CTL" state "$name")" "running"
assert_match "list shows it, declarative" "$(th_exec "$CTL" list)" "$name +running +declarative +- +$sys1"
assert_match "status names the unit" "$(th_exec "$CTL" status "$name")" "unit nixos-nspawn@$name.service"
pid1=$(th_exec "$CTL" status "$name" | awk '/leader: PID/ { print $3 }')
assert_eq "the leader is machined's leader too" "$pid1" \
	"$(th_exec machinectl show "$name" -p Leader --value 2>&1)"
assert_eq "run: PID 1 booted the system" "$(th_exec "$CTL" run "$name" -- cat /run/fixture/booted)" "1 $sys1"
assert_eq "run: in PID 1's user and cgroup namespaces" \
	"$(th_exec "$CTL" run "$name" -- sh -c "readlink /proc/self/ns/user; readlink /proc/self/ns/cgroup" | xargs)" \
	"$(th_sh 'readlink /proc/$1/ns/user /proc/$1/ns/cgroup' "$pid1" | xargs)"

# --- the module's live update, from the unit's ExecReload=
th_exec systemctl reload "nixos-nspawn@$name" >"$T/reload.out" 2>&1
_report $? "systemctl reload runs nixos-nspawnctl update --strategy switch" "$(cat "$T/reload.out"; th_unit_diag "nixos-nspawn@$name")"
assert_eq "the same PID 1" "$(th_exec "$CTL" status "$name" | awk '/leader: PID/ { print $3 }')" "$pid1"
assert_eq "switch-to-configuration test ran inside" "$(th_exec "$CTL" run "$name" -- cat /run/fixture/switched)" \
	"test $sys2 pid1=init"
assert_eq "the added path is there" "$(th_exec "$CTL" run "$name" -- cat "$added/content")" "two"
fails "root inside cannot remount it read-write" th_exec "$CTL" run "$name" -- mount -o remount,rw "$added"
fails "root inside cannot unmount it" th_exec "$CTL" run "$name" -- umount "$added"
assert_eq "the unit is still active" "$(th_exec systemctl is-active "nixos-nspawn@$name")" "active"

# --- restart, stop, terminate, bad input
ok "restart: a restart job" th_exec "$CTL" restart "$name"
ok "a new PID 1" test "$(th_exec "$CTL" status "$name" | awk '/leader: PID/ { print $3 }')" != "$pid1"
ok "stop: a stop job" th_exec "$CTL" stop "$name"
assert_eq "the unit is inactive" "$(th_exec systemctl is-active "nixos-nspawn@$name")" "inactive"
assert_eq "state: stopped" "$(th_exec "$CTL" state "$name")" "stopped"
ok "start again" th_exec "$CTL" start "$name"
ok "terminate" th_exec "$CTL" terminate "$name"
assert_match "the unit is no longer active" "$(th_exec systemctl is-active "nixos-nspawn@$name")" "^(inactive|failed)$"
out=$(th_exec "$CTL" start "nosuch$name" 2>&1); rc=$?
[ "$rc" != 0 ] && [ "$(echo "$out" | wc -l)" = 1 ] && [[ $out == *"Unknown container 'nosuch$name'"* ]]
_report $? "start of an unknown container: one line naming it" "exit $rc: $out"
out=$(th_exec "$CTL" destroy "$name" 2>&1); rc=$?
[ "$rc" != 0 ] && [[ $out == *"declared in the NixOS configuration"* ]]
_report $? "destroy refuses a declarative container" "exit $rc: $out"
# (cleanup; after terminate the unit may be failed, or, when its Restart=on-failure had begun before the stop, inactive
# and unloaded: then there is nothing to reset and systemctl says so with exit 1)
th_exec systemctl reset-failed "nixos-nspawn@$name" 2>/dev/null || :
