#!/bin/bash
# nixos-nspawnctl without systemd: every verb, for real, on containers built by a <nixpkgs/nixos> stand-in
# (checks/fixtures/nixpkgs-standin: a config file becomes a store-only toplevel with an init and a
# switch-to-configuration that records its runs). Here nixos-nspawnctl supervises the launcher itself.
. "$(dirname "$0")/lib.sh"
need_root
CTL=${CTL:-$BUILD/nixos-nspawnctl}
[ -x "$CTL" ] || skip_rest "build first: no $CTL"
[ -x "$BUILD/helpers/sdnotify" ] || skip_rest "build first: no sdnotify helper"
fixture standin "$BUILD/helpers/sdnotify"
export NIX_REMOTE=local NIX_PATH="nixpkgs=$nixpkgs" NIXOS_NSPAWN_GUEST_MODULE="$guest" NIXOS_NSPAWNCTL_NO_SYSTEMD=1
export NIX_CONFIG=$'sandbox = false\nbuild-users-group =\nsubstituters ='
export NIXOS_NSPAWN="$NSPAWN"

name=$(mname ctl)
other=$(mname ctlb)
third=$(mname ctlc)
for n in "$name" "$other" "$third"; do
	at_exit "$CTL terminate $n >/dev/null 2>&1; $CTL destroy $n >/dev/null 2>&1; rm -f /etc/nixos-nspawn/$n.conf /var/log/nixos-nspawn/$n.log /var/log/nixos-nspawn/$n.log.1 /run/nixos-nspawnctl/$n.*"
done
conf=/etc/nixos-nspawn/$name.conf
profile=/nix/var/nix/profiles/per-nspawn/$name/system
ms() { local s=${EPOCHREALTIME/[.,]/}; "$@"; local rc=$?; took=$(((${EPOCHREALTIME/[.,]/} - s) / 1000)); return $rc; }
leader() { "$CTL" status "$1" | awk '/leader: PID/ { print $3 }'; }
inside() { "$CTL" run "$name" -- "$@"; }
sum() { cat "$@" 2>/dev/null | md5sum; }

config() { # FILE [fixture attributes…]: a configuration for the stand-in
	local f=$1; shift
	printf '{ ... }: { fixture.hostName = "ctltest"; %s }\n' "$*" >"$f"
}
config "$T/gen1.nix" 'fixture.files.base = "generation one"; fixture.readyDelay = 1;'

# --- create, start, the state verbs
ms "$CTL" create "$name" --config "$T/gen1.nix" --private-network >"$T/create.out" 2>&1
_report $? "create --config builds the toplevel and records generation 1" "$(cat "$T/create.out")"
echo "# create: ${took} ms"
sys1=$(readlink -f "$profile")
assert_eq "the profile's generation 1 is the settings' system" \
	"$(. "$conf"; echo "$NIXOS_NSPAWN_SYSTEM")" "$sys1"
ok "the guest module was part of the build" test -e "$sys1/guest-module"
assert_match "the settings are imperative, with closure, init and the launcher option" "$(cat "$conf")" \
	"NIXOS_NSPAWN_ORIGIN=imperative.*NIXOS_NSPAWN_ARGS=\"--closure=/etc/nixos-nspawn/$name.closure --init=$sys1/init --private-network\""
assert_eq "the closure file is the toplevel's closure" "$(sort "/etc/nixos-nspawn/$name.closure")" \
	"$(nix-store -qR "$sys1" | sort)"
ok "exists says yes" "$CTL" exists "$name"
fails "exists says no for another name" "$CTL" exists "$other"
assert_eq "state: stopped" "$("$CTL" state "$name")" "stopped"

ms "$CTL" start "$name"; _report $? "start returns once the container is ready" "$(tail "/var/log/nixos-nspawn/$name.log")"
echo "# start (to READY=1): ${took} ms"
assert_eq "state: running" "$("$CTL" state "$name")" "running"
pid1=$(leader "$name")
assert_match "status names the leader" "$pid1" '^[0-9]+$'
assert_eq "the leader is the container's PID 1 running the toplevel's init" \
	"$(inside cat /run/fixture/booted)" "1 $sys1"
assert_match "list shows it running, imperative, generation 1, no address (a private network), its uptime" "$("$CTL" list)" \
	"$name +running +imperative +1 +$sys1  - [0-9]+s "
assert_match "list --json too, with addresses, uptime, memory and tasks (null without their controller)" "$("$CTL" list --json)" \
	"\{\"name\":\"$name\",\"state\":\"running\",\"origin\":\"imperative\",\"generation\":1,\"system\":\"$sys1\",\"addresses\":\[\],\"uptime_sec\":[0-9]+,\"memory_bytes\":([0-9]+|null),\"tasks\":([0-9]+|null)\}"
ok "start of a running container is fine" "$CTL" start "$name"

# --- the console log is capped (16 MiB a file) and rotated once: root inside writes 20 MiB to its console
log=/var/log/nixos-nspawn/$name.log
log_sizes() { echo "$(stat -c %s "$log" 2>/dev/null || echo 0) $(stat -c %s "$log.1" 2>/dev/null || echo 0)"; }
inside sh -c 'yes 0123456789abcdefghi | head -c 20971520 >/dev/console; echo console-end-marker >/dev/console'
logged_all() { grep -q console-end-marker "$log"; }
wait_for 20 logged_all
read -r cur old <<<"$(log_sizes)"
[ "$cur" -le 16777216 ] && [ "$old" -le 16777216 ] && [ "$old" -gt 0 ]
_report $? "20 MiB written to /dev/console inside: NAME.log and NAME.log.1 each at most 16 MiB" "sizes: $cur $old"
[ $((cur + old)) -ge 20971520 ]; _report $? "nothing of it was dropped (one rotation, both files)" "sizes: $cur $old"
ok "the latest output is in NAME.log" logged_all
ok "no second rotated file" test ! -e "$log.2"

# --- what run starts inside counts against the container's tasks limit (cgroup2: nixos-nspawn/NAME holds run's
# cgroup too; v1 pids, as here: run joins the v1 cgroup the limit put PID 1 in)
v1_pids=$(awk '$9 == "cgroup" && $NF ~ /(^|,)pids(,|$)/ { print $5; exit }' /proc/self/mountinfo)
for cur in "$v1_pids/nixos-nspawn/$name/pids.current" "$cgroup2/nixos-nspawn/$name/pids.current" ""; do
	[ -n "$cur" ] && [ -e "$cur" ] && break
done
if [ -z "$cur" ]; then
	skip "run's processes count against the tasks limit" "no pids.current of the container's limit here"
else
	before=$(cat "$cur")
	inside sh -c 'sleep 3 & sleep 3 & sleep 3 & wait' &
	more() { [ "$(cat "$cur")" -ge $((before + 4)) ]; }
	wait_for 10 more; _report $? "run's processes count against the container's tasks limit" "$before -> $(cat "$cur")"
	wait
fi

# --- run enters every namespace, the cgroup, as root
want=""; got=""
for ns in user mnt pid net uts ipc cgroup; do
	want+="$(readlink "/proc/$pid1/ns/$ns") "
	got+="$(inside readlink "/proc/self/ns/$ns") "
done
assert_eq "run: in all of PID 1's namespaces, its user namespace included" "$got" "$want"
assert_match "run: in a cgroup of ours next to the container's (outside its cgroup namespace)" \
	"$(inside cat /proc/self/cgroup | grep '^0::')" '^0::/\.\./nixos-nspawnctl-enter-[0-9]+$'
assert_eq "run: root of the container" "$(inside id -u)" "0"
assert_eq "run: PID 1's capability bounding set" "$(inside grep CapBnd /proc/self/status)" \
	"$(grep CapBnd "/proc/$pid1/status")"
assert_eq "run: under a seccomp filter, as PID 1 is" \
	"$(inside awk '/^Seccomp:/ { print $2 }' /proc/self/status) $(awk '/^Seccomp:/ { print $2 }' "/proc/$pid1/status")" "2 2"
assert_eq "run: no fd of the caller's but stdio goes in (not even one past 1024)" \
	"$( (ulimit -n 4096 && "$CTL" run "$name" -- ls /proc/self/fd 7</etc/hostname 2000</etc/hostname) | xargs)" \
	"$("$CTL" run "$name" -- ls /proc/self/fd | xargs)"
assert_eq "run: its exit status passes" "$(inside sh -c 'exit 7'; echo $?)" "7"
fails "run: a command that is not there fails" "$CTL" run "$name" -- no-such-command
# the entering process's own failures are reported on a channel of their own: no exit status is taken for one
out=$("$CTL" run "$name" -- sh -c 'exit 241' 2>&1); rc=$?
assert_eq "run: exit 241 is the command's own (not a failure of entering)" "$rc:$out" "241:"
out=$("$CTL" run "$name" -- sh -c 'exit 127' 2>&1); rc=$?
assert_eq "run: exit 127 is the command's own (not 'not found')" "$rc:$out" "127:"
out=$("$CTL" run "$name" -- no-such-command 2>&1); rc=$?
assert_eq "run: a command that is not there: 127 and says so" "$rc:$out" \
	"127:'no-such-command' not found in the container."
out=$("$CTL" run "$name" -- /proc/version 2>&1); rc=$?
assert_eq "run: a failure to enter says what failed, with its errno" "$rc:$out" \
	"1:Failed to execute '/proc/version' in the container: Permission denied"
fails "show-ip: without a network there is no address" "$CTL" show-ip "$name"

# --- root inside freezes PID 1 in a cgroup of its own: run still gets in, and its process cannot be moved there
ok "root inside moves PID 1 into a child cgroup and freezes it" inside sh -c \
	'mkdir /sys/fs/cgroup/trap && echo 1 >/sys/fs/cgroup/trap/cgroup.procs && echo 1 >/sys/fs/cgroup/trap/cgroup.freeze'
cg2=$(findmnt -n -t cgroup2 -o TARGET | head -n 1)
# (freezing is asynchronous: the kernel says "frozen 1" once every task stopped)
ok "PID 1 is frozen" wait_for 30 grep -qx "frozen 1" "$cg2$(sed -n 's/^0:://p' "/proc/$pid1/cgroup")/cgroup.events"
out=$(timeout 30 "$CTL" run "$name" -- echo entered 2>&1); rc=$?
assert_eq "run still enters and returns" "$rc $out" "0 entered"
fails "root inside cannot move run's process into the frozen cgroup" timeout 30 "$CTL" run "$name" -- \
	sh -c 'echo $$ >/sys/fs/cgroup/trap/cgroup.procs'
ok "PID 1 thawed and back (by root inside)" timeout 30 "$CTL" run "$name" -- sh -c \
	'echo 0 >/sys/fs/cgroup/trap/cgroup.freeze && echo 1 >/sys/fs/cgroup/cgroup.procs && rmdir /sys/fs/cgroup/trap'
ok "run leaves no cgroup of its own behind" sh -c "! find '$cg2' -path '*/$name/nixos-nspawnctl-enter-*' | grep ."
# what a command leaves running keeps its leaf (run does not wait for it); the next run removes the leaf once empty
ok "run with a process left running in the background returns" timeout 30 "$CTL" run "$name" -- \
	sh -c 'sleep 300 </dev/null >/dev/null 2>&1 &'
leaf=$(find "$cg2" -path "*/$name/nixos-nspawnctl-enter-*" 2>/dev/null | head -n 1)
assert_match "its leaf stays while the process lives" "$(cat "$leaf/cgroup.procs" 2>/dev/null | wc -l)" "^1$"
kill -KILL "$(cat "$leaf/cgroup.procs")" 2>/dev/null
ok "the process gone, the leaf is empty" wait_for 30 grep -qx "populated 0" "$leaf/cgroup.events"
ok "the next run" "$CTL" run "$name" -- true
ok "removed the empty leaf of the earlier one, and its own" sh -c "! find '$cg2' -path '*/$name/nixos-nspawnctl-enter-*' | grep ."

# --- live update: generation 2 adds a store path; the same PID 1 gets it
config "$T/gen2.nix" 'fixture.files.base = "generation one"; fixture.files.added = "generation two";'
# (the settings edited to the two-argument forms: the system's options are told from the user's by the launcher's
# table, not by spelling, so the update keeps only --private-network of them as the user's)
sed -i 's|--closure=\([^ ]*\) --init=\([^ ]*\)|--closure \1 --init \2|' "$conf"
host_before=$(grep -c -- "$name" /proc/self/mountinfo)
ms "$CTL" update "$name" --config "$T/gen2.nix" --strategy switch >"$T/switch.out" 2>&1
_report $? "update --strategy switch" "$(cat "$T/switch.out")"
assert_match "the update wrote the system's options once, the user's after them" "$(cat "$conf")" \
	"NIXOS_NSPAWN_ARGS=\"--closure=/etc/nixos-nspawn/$name.closure --init=/nix/store/[a-z0-9]{32}-[^ ]*/init --private-network\""
echo "# update --strategy switch: ${took} ms"
sys2=$(readlink -f "$profile")
added=$(nix-store -qR "$sys2" | grep -- '-added$')
assert_eq "the same PID 1 runs on" "$(leader "$name")" "$pid1"
assert_eq "it booted once" "$(inside cat /run/fixture/booted)" "1 $sys1"
assert_eq "the new system's switch-to-configuration test ran inside" "$(inside cat /run/fixture/switched)" \
	"test $sys2 pid1=init"
assert_eq "the added store path is there" "$(inside cat "$added/content")" "generation two"
# the new generation's store is one layer attached in a mount namespace of the propagation point's own (ctl/live.c):
# nothing of it is in the host's mount table, whose count for the container stays (the namespace's bind replaced
# the host's point); 93-ctl-live.sh tests the layers at length
assert_eq "the host's mount table has no mount more for the container, none per path" \
	"$(grep -c -- "$name" /proc/self/mountinfo)" "$host_before"
dropped=$(comm -23 <(nix-store -qR "$sys1" | sort) <(nix-store -qR "$sys2" | sort) | head -n 1)
fails "a path generation two dropped is gone at the switch" inside test -e "$dropped"
assert_eq "it is root's inside (idmapped)" "$(inside stat -c %u:%g "$added/content")" "0:0"
assert_match "it is mounted read-only, nosuid, nodev, idmapped" "$(inside grep " $added " /proc/self/mountinfo)" \
	" ro,nosuid,nodev,[a-z,]*idmapped"
fails "root inside cannot remount it read-write" "$CTL" run "$name" -- mount -o remount,rw "$added"
fails "root inside cannot write to it" "$CTL" run "$name" -- touch "$added/x"
fails "root inside cannot unmount it" "$CTL" run "$name" -- umount "$added"
fails "nor detach it" "$CTL" run "$name" -- umount -l "$added"
assert_eq "after all that it is still there" "$(inside cat "$added/content")" "generation two"
fails "the outsider of the host's store is still not there" "$CTL" run "$name" -- ls /nix/store/nonexistent
assert_match "status shows the live system" "$("$CTL" status "$name")" "live: +$sys2"

# --- restart strategy
config "$T/gen3.nix" 'fixture.files.base = "generation three";'
ms "$CTL" update "$name" --config "$T/gen3.nix" --strategy restart >"$T/restart.out" 2>&1
_report $? "update --strategy restart" "$(cat "$T/restart.out")"
echo "# update --strategy restart: ${took} ms"
sys3=$(readlink -f "$profile")
pid1b=$(leader "$name")
ok "a new PID 1" test "$pid1b" != "$pid1"
assert_eq "it booted the new system" "$(inside cat /run/fixture/booted)" "1 $sys3"

# --- a switch that fails falls back to a restart, and says so
config "$T/gen4.nix" 'fixture.files.base = "generation four"; fixture.failSwitch = true;'
"$CTL" update "$name" --config "$T/gen4.nix" --strategy switch >"$T/fallback.out" 2>&1
_report $? "a failing switch still updates" "$(cat "$T/fallback.out")"
assert_match "it says it restarts instead" "$(cat "$T/fallback.out")" "restarting it instead"
sys4=$(readlink -f "$profile")
ok "a new PID 1 after the fallback" test "$(leader "$name")" != "$pid1b"
assert_eq "booted the new system" "$(inside cat /run/fixture/booted)" "1 $sys4"

# --- the module's ExecReload= (update --system --closure) on a running container
nix-store -qR "$sys2" >"$T/sys2.closure"
ok "update --strategy switch --system --closure (the NixOS module's reload)" \
	"$CTL" update "$name" --strategy switch --system "$sys2" --closure "$T/sys2.closure"
assert_eq "switched to it" "$(inside cat /run/fixture/switched | tail -n 1)" "test $sys2 pid1=init"

# --- generations
assert_eq "list-generations: five, the fifth current" "$("$CTL" list-generations "$name" | awk '{ print $1 $3 }')" \
	"$(printf '1\n2\n3\n4\n5(current)')"
ok "switch-generation 1" "$CTL" switch-generation "$name" 1
assert_eq "the settings follow" "$(. "$conf"; echo "$NIXOS_NSPAWN_SYSTEM")" "$sys1"
assert_eq "and (stopped or restarted) the container runs generation 1" "$(inside cat /run/fixture/booted)" "1 $sys1"
fails "rollback from the first generation fails" "$CTL" rollback "$name"
ok "switch-generation 3, then rollback" "$CTL" switch-generation "$name" 3
ok "rollback" "$CTL" rollback "$name" --strategy switch
assert_eq "rollback went to generation 2" "$(. "$conf"; echo "$NIXOS_NSPAWN_SYSTEM")" "$sys2"
ok "delete-generations 4 5" "$CTL" delete-generations "$name" 4 5
assert_eq "three are left" "$("$CTL" list-generations "$name" | awk '{ print $1 }' | tr '\n' ' ')" "1 2 3 "

# --- a switch that hangs (root inside can make it): the deadline (--timeout) ends it, the update restarts the
# container instead and says so, and lets go of the container's lock
config "$T/hung.nix" 'fixture.files.base = "a hung switch"; fixture.switchDelay = 600;'
timeout 120 "$CTL" --timeout 5 update "$name" --config "$T/hung.nix" --strategy switch >"$T/hung.out" 2>&1
_report $? "update --strategy switch with a switch that never ends: it ends" "$(cat "$T/hung.out")"
assert_match "it says the switch did not end in time and restarts instead" "$(cat "$T/hung.out")" \
	"did not end within 5 s in the container: killed it.*restarting it instead"
sys_hung=$(readlink -f "$profile")
assert_eq "the restarted container booted the new system" "$(inside cat /run/fixture/booted)" "1 $sys_hung"
ok "the container's lock is free again (destroy would not wait)" \
	sh -c "[ ! -e /run/nixos-nspawnctl/$name.changing ] || flock -n /run/nixos-nspawnctl/$name.changing true"

# --- stop during a slow switch: the update does not undo it with its fallback restart
config "$T/slow.nix" 'fixture.files.base = "a slow switch"; fixture.switchDelay = 600;'
timeout 120 "$CTL" update "$name" --config "$T/slow.nix" --strategy switch >"$T/slow.out" 2>&1 & upd=$!
switching() { "$CTL" run "$name" -- grep -q "^test .* pid1=" /run/fixture/switched; }
ok "the slow switch runs" wait_for 60 switching
ok "stop during the switch" "$CTL" stop "$name"
wait "$upd"
_report $? "the update ends with the stop" "$(cat "$T/slow.out")"
assert_match "it says it does not restart a container stopped meanwhile" "$(cat "$T/slow.out")" \
	"was stopped during the switch, not restarting it"
sleep 1
assert_eq "and it stays stopped" "$("$CTL" state "$name")" "stopped"
ok "start it again" "$CTL" start "$name"

# --- killed changes: the next command on the name finishes or undoes them. NIXOS_NSPAWNCTL_TEST_STOP_AT stops
# nixos-nspawnctl (or its mounting child) at a step; it is SIGKILLed there.
gens() { "$CTL" list-generations "$1" 2>/dev/null | awk '{ print $1 }' | xargs; }
ok "create killed right after nix-env --set" killed_at change-profile "$CTL" create "$other" --config "$T/gen1.nix"
out=$("$CTL" create "$other" --config "$T/gen1.nix" 2>&1)
_report $? "the next create of that name undoes it and creates" "$out"
assert_match "and says so" "$out" "An interrupted create of container '$other' was undone"
assert_eq "one generation, not two stacked" "$(gens "$other")" "1"
ok "destroy it" "$CTL" destroy "$other"

gens_before=$(gens "$name"); sys_before=$(. "$conf"; echo "$NIXOS_NSPAWN_SYSTEM")
config "$T/killed.nix" 'fixture.files.base = "a killed update";'
ok "update killed right after nix-env --set" killed_at change-profile "$CTL" update "$name" --config "$T/killed.nix"
assert_match "status undoes it" "$("$CTL" status "$name" 2>&1)" "An interrupted update of container '$name' was undone"
assert_eq "the generations are as before" "$(gens "$name")" "$gens_before"
assert_eq "the profile and the settings agree, on the system before" \
	"$(readlink -f "$profile") $(. "$conf"; echo "$NIXOS_NSPAWN_SYSTEM")" "$sys_before $sys_before"
ok "update killed after the settings were saved (restart strategy)" killed_at change-saved "$CTL" update "$name" --config "$T/killed.nix"
assert_match "the next command finishes it" "$("$CTL" state "$name" 2>&1)" "An interrupted update of container '$name' was finished"
sys_killed=$(readlink -f "$profile")
assert_eq "profile and settings agree on the new system" "$(. "$conf"; echo "$NIXOS_NSPAWN_SYSTEM")" "$sys_killed"
ok "restart into it" "$CTL" restart "$name"

config "$T/live-killed.nix" 'fixture.files.base = "a killed update"; fixture.files.killed = "added, then killed";'
ok "a live update killed with its new store built and not attached" \
	killed_at live-layer "$CTL" update "$name" --config "$T/live-killed.nix" --strategy switch
out=$("$CTL" update "$name" --config "$T/live-killed.nix" --strategy switch 2>&1)
_report $? "the next update undoes it, then updates" "$out"
assert_match "it says it undid the killed one, and switches (not 'already at')" "$out" \
	"An interrupted update of container '$name' was undone.*Switching"
sys_live=$(readlink -f "$profile")
killed_path=$(nix-store -qR "$sys_live" | grep -- '-killed$')
assert_eq "the path the killed update was adding is there inside" "$(inside cat "$killed_path/content")" \
	"added, then killed"

# --- bad input: one line naming it, nothing changed
before=$(sum "$conf" "/etc/nixos-nspawn/$name.closure"; ls -l "$profile"*)
bad() { # DESCRIPTION WANT-REGEX COMMAND...: fails with exactly one line, which matches
	local d=$1 re=$2 out rc; shift 2
	out=$("$@" 2>&1); rc=$?
	[ "$rc" != 0 ] && [ "$(printf '%s\n' "$out" | wc -l)" = 1 ] && [[ $out =~ $re ]]
	_report $? "$d" "exit $rc: $out"
}
bad_build() { # the same where Nix's own build log comes first: our one line is the last
	local d=$1 re=$2 out rc; shift 2
	out=$("$@" 2>&1); rc=$?
	[ "$rc" != 0 ] && [[ $(printf '%s\n' "$out" | tail -n 1) =~ $re ]]
	_report $? "$d" "exit $rc: $out"
}
bad "unknown name" "Unknown container 'nosuch-$name'" "$CTL" start "nosuch-$name"
bad "invalid name" "Invalid container name 'a/b'" "$CTL" create a/b --config "$T/gen1.nix"
bad "a name taken" "Container '$name' exists already" "$CTL" create "$name" --config "$T/gen1.nix"
config "$T/broken.nix" 'fixture.fail = "this configuration does not build";'
bad_build "a configuration that fails to build (update)" "Failed to build the configuration '$T/broken.nix'" \
	"$CTL" update "$name" --config "$T/broken.nix"
bad "a generation that does not exist" "has no generation 42" "$CTL" switch-generation "$name" 42
bad "a launcher option that cannot be stored" "Launcher option '--bind=/a b'" \
	"$CTL" create "$other" --config "$T/gen1.nix" "--bind=/a b"
bad "a launcher option that is ours" "Launcher option '--machine' is nixos-nspawnctl's to set" \
	"$CTL" create "$other" --config "$T/gen1.nix" --machine=x
# Which options may be stored is decided by the launcher's own parser, by option, not by spelling: an abbreviation
# or a bundle of short options must not pass for something allowed (each of these was stored before, and ran the
# container as another machine, with another init, other store paths, or chowned a host directory).
printf '/bin/sh\n' >"$T/evil.closure"
bad "attack: an abbreviated --machine" "Unknown option '--mach': options are not abbreviated \(--machine\?\)" \
	"$CTL" create "$other" --config "$T/gen1.nix" --mach="$third"
bad "attack: -M bundled after -n" "Launcher option '--machine' is nixos-nspawnctl's to set" \
	"$CTL" create "$other" --config "$T/gen1.nix" -nM"$third"
bad "attack: an abbreviated --init" "Unknown option '--ini'" \
	"$CTL" create "$other" --config "$T/gen1.nix" --ini=/bin/busybox
bad "attack: an abbreviated --closure" "Unknown option '--clos'" \
	"$CTL" create "$other" --config "$T/gen1.nix" --clos="$T/evil.closure"
bad "attack: an abbreviated --store-path" "Unknown option '--store-p'" \
	"$CTL" create "$other" --config "$T/gen1.nix" --store-p=/bin
bad "attack: --init spelled out" "Launcher option '--init' is nixos-nspawnctl's to set" \
	"$CTL" create "$other" --config "$T/gen1.nix" --init=/bin/busybox
bad "attack: --chown-foreign (a one-shot that chowns a host directory)" \
	"Launcher option '--chown-foreign' cannot be stored with a container" \
	"$CTL" create "$other" --config "$T/gen1.nix" --chown-foreign="$T"
bad "attack: --dir=/ (abbreviated -D)" "Unknown option '--dir'" "$CTL" create "$other" --config "$T/gen1.nix" --dir=/
bad "attack: -D/" "Launcher option '--directory' cannot be stored" "$CTL" create "$other" --config "$T/gen1.nix" -D/
bad "attack: the test-only --store-dir" "Launcher option '--store-dir' cannot be stored" \
	"$CTL" create "$other" --config "$T/gen1.nix" --store-dir=/tmp
bad "an unknown launcher option" "Unknown option '--no-such-option'" \
	"$CTL" create "$other" --config "$T/gen1.nix" --no-such-option
bad "a command after the options" "takes no command after '--'" \
	"$CTL" create "$other" --config "$T/gen1.nix" -n -- /bin/sh
bad "what a start would refuse: a capability that does not exist" "Invalid --capability 'NET_ADMIN'" \
	"$CTL" create "$other" --config "$T/gen1.nix" --capability=NET_ADMIN
bad "what a start would refuse: options that exclude each other" "exclude each other" \
	"$CTL" create "$other" --config "$T/gen1.nix" --network-zone=z --network-bridge=br0
bad "update refuses them too" "Unknown option '--mach'" "$CTL" update "$name" --mach="$third"
ok "and none of them left anything of that name" \
	sh -c "! ls /etc/nixos-nspawn/$other.* /nix/var/nix/profiles/per-nspawn/$other* 2>/dev/null | grep ."
bad "a strategy that does not exist" "Invalid --strategy 'later'" "$CTL" update "$name" --strategy later
bad "a system that is not one" "is not a NixOS system" "$CTL" update "$name" --system /nix/store/nonexistent
after=$(sum "$conf" "/etc/nixos-nspawn/$name.closure"; ls -l "$profile"*)
assert_eq "none of that changed the container" "$after" "$before"
bad_build "a configuration that fails to build (create)" "Failed to build the configuration" \
	"$CTL" create "$other" --config "$T/broken.nix"
ok "and left nothing of that name" sh -c "! ls /etc/nixos-nspawn/$other.* /nix/var/nix/profiles/per-nspawn/$other* 2>/dev/null | grep ."
ok "create with a bind whose source is missing (the launcher checks its options at start)" \
	"$CTL" create "$other" --config "$T/gen1.nix" "--bind=$T/missing-source:/data"
bad "start says the launcher's complaint in one line" "failed to start .*missing-source" "$CTL" start "$other"
assert_eq "and it is not running" "$("$CTL" state "$other")" "stopped"
ok "nothing of it is left" leftovers "$other"
# the supervisor's own set-up failing (its log is a directory): it drops its lock before the start hears of it
rm -f "/var/log/nixos-nspawn/$other.log" && mkdir "/var/log/nixos-nspawn/$other.log"
at_exit "rmdir /var/log/nixos-nspawn/$other.log 2>/dev/null"
bad "a start whose log cannot be opened says so" "failed to start: could not open the log" "$CTL" start "$other"
assert_eq "and it is not running, right after" "$("$CTL" state "$other")" "stopped"
ok "nor is the supervisor's lock file left" test ! -e "/run/nixos-nspawnctl/$other.lock"
rmdir "/var/log/nixos-nspawn/$other.log"
# a settings file edited by hand: start checks it with the same table (the launcher, too, refuses a second --machine)
sed -i "s|--bind=$T/missing-source:/data|-nM$third|" "/etc/nixos-nspawn/$other.conf"
bad "attack: a hand-edited settings file with -M: start refuses it" \
	"Container '$other' cannot start with the settings in /etc/nixos-nspawn/$other.conf: Launcher option '--machine'" \
	"$CTL" start "$other"
sed -i "s|-nM$third|--machine=$third|" "/etc/nixos-nspawn/$other.conf"
bad "attack: the same with --machine=" "Launcher option '--machine' is nixos-nspawnctl's to set" "$CTL" start "$other"
ok "nothing ran as the other machine" leftovers "$third"
ok "destroy it" "$CTL" destroy "$other"

# --- a declarative container (the NixOS module's settings): listed, run, refused changes
# (its filter option as two arguments: the launcher reads "--system-call-filter VALUE" so, and so must run)
printf 'NIXOS_NSPAWN_ARGS="--closure=%s --init=%s/init --private-network --system-call-filter ~sethostname"\nNIXOS_NSPAWN_SYSTEM=%s\nNIXOS_NSPAWN_ORIGIN=declarative\n' \
	"$T/sys2.closure" "$sys2" "$sys2" >"/etc/nixos-nspawn/$other.conf"
assert_match "list shows the declarative one" "$("$CTL" list)" "$other +stopped +declarative +- +$sys2"
ok "start a declarative container" "$CTL" start "$other"
assert_eq "run: the settings' filter, read as the launcher reads it (sethostname refused, as for PID 1)" \
	"$("$CTL" run "$other" -- sh -c 'hostname other-name 2>/dev/null; echo $?; hostname')" "1
$("$CTL" run "$other" -- hostname)"
bad "destroy refuses a declarative container" "declared in the NixOS configuration" "$CTL" destroy "$other"
bad "update --config refuses it" "declared in the NixOS configuration" "$CTL" update "$other" --config "$T/gen1.nix"
# with 500 more paths in its closure: live.c attaches them 256 at a time, the last ones in a batch of their own
many=$(bash "$TOP/checks/fixtures/nix-closures.sh" many 500 | sed -n 's/^closure=//p')
{ nix-store -qR "$sys3" && cat "$many"; } | sort -u >"$T/sys3.closure"
ok "but its live update works" "$CTL" update "$other" --strategy switch --system "$sys3" --closure "$T/sys3.closure"
assert_eq "switched" "$("$CTL" run "$other" -- cat /run/fixture/switched)" "test $sys3 pid1=init"
last=$(grep -- '-many-' "$T/sys3.closure" | tail -n 1) # sorted as the closure is: in the last batch
assert_eq "all the added paths are there" "$("$CTL" run "$other" -- ls /nix/store | grep -c -- '-many-[0-9]*$')" \
	"$(grep -c -- '-many-' "$many")"
assert_match "the last added path (second batch) is read-only, nosuid, nodev, idmapped" \
	"$("$CTL" run "$other" -- grep " $last " /proc/self/mountinfo)" " ro,nosuid,nodev,[a-z,]*idmapped"
fails "root inside cannot unmount it" "$CTL" run "$other" -- umount "$last"
fails "nor remount it read-write" "$CTL" run "$other" -- mount -o remount,rw "$last"
ok "stop it" "$CTL" stop "$other"
ok "nothing of it is left" leftovers "$other"
rm -f "/etc/nixos-nspawn/$other.conf" "/var/log/nixos-nspawn/$other.log"
ok "the supervisor took its live record with it" test ! -e "/run/nixos-nspawnctl/$other.live"

# --- a live update where the store cannot be idmapped (a NixOS VM test's store is an overlay): the container and
# the update run in a mount namespace of their own whose /nix/store is an overlay of the host's (private: nothing
# of it reaches the host, and with no upper layer nothing is written to it)
fb=$(mname ctlf)
at_exit "$CTL terminate $fb >/dev/null 2>&1; rm -f /etc/nixos-nspawn/$fb.conf /var/log/nixos-nspawn/$fb.log /run/nixos-nspawnctl/$fb.*"
nix-store -qR "$sys1" >"$T/sys1.closure"
printf 'NIXOS_NSPAWN_ARGS="--closure=%s --init=%s/init --private-network"\nNIXOS_NSPAWN_SYSTEM=%s\nNIXOS_NSPAWN_ORIGIN=declarative\n' \
	"$T/sys1.closure" "$sys1" "$sys1" >"/etc/nixos-nspawn/$fb.conf"
mkdir -p "$T/fb-empty"
# (one claim per line of $T/fb.out: "NAME<TAB>VALUE")
FB=$fb SYS1=$sys1 SYS2=$sys2 CLOSURE2=$T/sys2.closure ADDED=$added CTLBIN=$CTL PROBE=$BUILD/helpers/idmap-probe \
	OUT=$T/fb.out EMPTY=$T/fb-empty unshare -m --propagation private bash -c '
	say() { printf "%s\t%s\n" "$1" "$2" >>"$OUT"; }
	mount -t overlay nixos-nspawn-test -o "lowerdir=/nix/store:$EMPTY" /nix/store || { say overlay failed; exit 0; }
	say probe "$("$PROBE" /nix/store | cut -f2)"
	"$CTLBIN" start "$FB" >/dev/null 2>&1; say start $?
	say owner "$("$CTLBIN" run "$FB" -- stat -c %u:%g "$SYS1/init")"
	"$CTLBIN" update "$FB" --strategy switch --system "$SYS2" --closure "$CLOSURE2" >"$OUT.update" 2>&1; say update $?
	say switched "$("$CTLBIN" run "$FB" -- cat /run/fixture/switched)"
	say content "$("$CTLBIN" run "$FB" -- cat "$ADDED/content")"
	say added-owner "$("$CTLBIN" run "$FB" -- stat -c %u:%g "$ADDED/content")"
	say added-mount "$("$CTLBIN" run "$FB" -- grep " $ADDED " /proc/self/mountinfo | cut -d" " -f6)"
	say umount "$("$CTLBIN" run "$FB" -- umount "$ADDED" 2>/dev/null && echo done || echo refused)"
	say remount "$("$CTLBIN" run "$FB" -- mount -o remount,rw "$ADDED" 2>/dev/null && echo done || echo refused)"
	"$CTLBIN" stop "$FB" >/dev/null 2>&1; say stop $?
' 2>&1
fbv() { awk -F'\t' -v k="$1" '$1 == k { print $2 }' "$T/fb.out"; }
if [ "$(fbv overlay)" = failed ]; then
	skip "a live update on a store that cannot be idmapped" "cannot mount overlayfs here"
elif [[ $(fbv probe) != "idmap refused "* ]]; then
	skip "a live update on a store that cannot be idmapped" "this kernel idmaps overlayfs ($(fbv probe))"
else
	assert_eq "overlay store: the container starts" "$(fbv start)" "0"
	assert_eq "the launcher said once that the store is not idmapped" \
		"$(grep -c "Store '/nix/store' is on a file system that cannot be idmapped (overlay)" "/var/log/nixos-nspawn/$fb.log")" "1"
	assert_eq "its store is nobody's inside" "$(fbv owner)" "65534:65534"
	_report "$(fbv update)" "update --strategy switch on it" "$(cat "$T/fb.out.update")"
	assert_match "which says, in one line, that it adds the paths unmapped" \
		"$(grep -c "cannot be idmapped (overlay): adding the paths without idmapping" "$T/fb.out.update")" "^1$"
	assert_eq "the new system's switch ran" "$(fbv switched)" "test $sys2 pid1=init"
	assert_eq "the added path is there and readable" "$(fbv content)" "generation two"
	assert_eq "nobody's inside, as the rest of the store" "$(fbv added-owner)" "65534:65534"
	assert_match "mounted read-only, nosuid, nodev" "$(fbv added-mount)" "^ro,nosuid,nodev"
	[[ -n $(fbv added-mount) && $(fbv added-mount) != *idmapped* ]]
	_report $? "and not idmapped" "got: $(fbv added-mount)"
	assert_eq "root inside cannot unmount it" "$(fbv umount)" "refused"
	assert_eq "nor remount it read-write" "$(fbv remount)" "refused"
	assert_eq "stop it" "$(fbv stop)" "0"
	ok "nothing of it is left" leftovers "$fb"
fi
rm -f "/etc/nixos-nspawn/$fb.conf" "/var/log/nixos-nspawn/$fb.log"

# --- a container with a network: show-ip; login and root-login on a terminal of the container's
# (from a flake: pure evaluation, so the flake carries the stand-in, busybox and sdnotify in its own source)
mkdir -p "$T/flake" && cp -r "$nixpkgs/nixos" "$busybox" "$sdnotify" "$T/flake/" && chmod -R u+w "$T/flake"
cat >"$T/flake/flake.nix" <<FLAKE
{
  outputs = { self }: {
    nixosConfigurations.web = import ./nixos {
      configuration = { fixture.addresses = [ "192.168.251.2/24" "fd42:251::2/64" ]; fixture.hostName = "flaky"; };
      system = "$(uname -m)-linux";
      busybox = ./${busybox##*/};
      sdnotify = ./${sdnotify##*/};
    };
  };
}
FLAKE
ok "create --flake REF#NAME --start with a veth (-n)" "$CTL" create "$third" --flake "path:$T/flake#web" -n --start
assert_match "the flake's system it is" "$(. "/etc/nixos-nspawn/$third.conf"; echo "$NIXOS_NSPAWN_SYSTEM $NIXOS_NSPAWN_FLAKE")" \
	"^/nix/store/[a-z0-9]{32}-nixos-system-flaky path:$T/flake#web\$"
assert_match "update rebuilds from the recorded flake (nothing changed: it says so)" \
	"$("$CTL" update "$third" 2>&1)" "is at /nix/store/[a-z0-9]{32}-nixos-system-flaky already"
ips=$("$CTL" show-ip "$third")
assert_match "show-ip: IPv4 first, then IPv6 (global and link-local)" "$(echo $ips)" \
	'^192\.168\.251\.2 (fd42:251::2 fe80:[0-9a-f:]+%host0|fe80:[0-9a-f:]+%host0 fd42:251::2)$'
out=$(printf 'echo pty-$((6*7)); tty; exit\n' | timeout 20 script -qec "$CTL root-login $third" /dev/null 2>&1)
assert_match "root-login: a root shell on a pty of the container's" "$(echo $out | tr -d '\r')" \
	'pty-42 /dev/pts/[0-9]+'
# ^] is typed once login runs inside (a getty-less login: the process is there when its prompt is)
login_runs() { "$CTL" run "$third" -- sh -c 'for f in /proc/[0-9]*/comm; do [ "$(cat "$f")" != login ] || exit 0; done; exit 1'; }
out=$( (wait_for 15 login_runs; printf '\035\035\035') | timeout 20 script -qec "$CTL login $third" /dev/null 2>&1)
assert_match "login: a login prompt, left with ^]^]^]" "$(echo $out | tr -d '\r')" "login:"
ok "nothing of login is left running inside" wait_for 5 "$CTL" run "$third" -- \
	sh -c 'for f in /proc/[0-9]*/comm; do [ "$(cat "$f")" != login ] || exit 1; done'
ok "destroy a running container (it stops first)" "$CTL" destroy "$third"
ok "nothing of it is left" leftovers "$third"

# --- stop, terminate, destroy
ms "$CTL" stop "$name"; _report $? "stop"
echo "# stop: ${took} ms"
assert_eq "state: stopped" "$("$CTL" state "$name")" "stopped"
ok "nothing is left of the stopped container" leftovers "$name"
bad "run in a stopped container" "Container '$name' is not running" "$CTL" run "$name" -- true
ok "start again" "$CTL" start "$name"

# --- restarts, as the unit's Restart=on-failure: a failure restarts after 1 s, a stop never, 5 starts a minute
assert_match "the settings carry the default restart policy" "$(cat "$conf")" $'\nNIXOS_NSPAWN_RESTART=on-failure\n'
old_pid1=$(leader "$name")
came_back() { local l; l=$(leader "$name"); [ -n "$l" ] && [ "$l" != "$old_pid1" ]; }
kill -KILL "$old_pid1"
ok "PID 1 SIGKILLed from the host: the supervisor starts the container again (a new PID 1, same name)" \
	wait_for 30 came_back
assert_eq "and it runs" "$("$CTL" state "$name")" "running"
assert_match "the log says why" "$(cat "$log")" "exited with status [0-9]+: a failure, starting it again in 1 s"
assert_eq "a fresh boot: one boot recorded in the new PID 1's /run" "$(inside cat /run/fixture/booted | wc -l)" 1
old_pid1=$(leader "$name")
ok "terminate (PID 1 SIGKILLed on request)" "$CTL" terminate "$name"
sleep 2 # (twice the restart delay: a restart would have begun)
assert_eq "a terminate is not followed by a restart" "$("$CTL" state "$name")" "stopped"
ok "update --restart=no saves the policy" "$CTL" update "$name" --restart=no
assert_match "in the settings" "$(cat "$conf")" $'\nNIXOS_NSPAWN_RESTART=no\n'
bad "update --restart with a bad value" "Invalid --restart 'sometimes.x01'" "$CTL" update "$name" --restart=$'sometimes\x01'
ok "start" "$CTL" start "$name"
old_pid1=$(leader "$name")
kill -KILL "$old_pid1"
is_down() { [ "$("$CTL" state "$name")" = stopped ]; }
ok "with --restart=no a killed PID 1 stays down" wait_for 15 is_down
sleep 2
assert_eq "and stays stopped" "$("$CTL" state "$name")" "stopped"
ok "update --restart=on-failure" "$CTL" update "$name" --restart=on-failure
ok "start again" "$CTL" start "$name"
ok "stop" "$CTL" stop "$name"
sleep 2
assert_eq "a stop is not followed by a restart" "$("$CTL" state "$name")" "stopped"
ok "start again" "$CTL" start "$name"

# a container whose PID 1 exits with 3 a second after READY=1, every time: 5 starts, then it gives up
crash=$(mname ctlcrash)
at_exit "$CTL terminate $crash >/dev/null 2>&1; $CTL destroy $crash >/dev/null 2>&1; rm -f /var/log/nixos-nspawn/$crash.log /run/nixos-nspawnctl/$crash.*"
config "$T/crash.nix" 'fixture.exitAfterReady = 3;'
ok "create a container whose PID 1 fails after each boot" "$CTL" create "$crash" --config "$T/crash.nix"
ok "its first start succeeds (READY=1 came)" "$CTL" start "$crash"
crash_failed() { [ "$("$CTL" state "$crash")" = failed ]; }
ok "after 5 starts within a minute the supervisor gives up: state says failed" wait_for 60 crash_failed
assert_eq "it started 5 times (4 restarts)" \
	"$(grep -c "a failure, starting it again" "/var/log/nixos-nspawn/$crash.log")" 4
assert_match "the log says why it stopped" "$(cat "/var/log/nixos-nspawn/$crash.log")" \
	"$crash: start limit hit: 5 starts within 60 s, the last launcher exited with status 3; not restarting it"
assert_match "status says failed, and why" "$("$CTL" status "$crash")" \
	"^$crash: failed.*failed: start limit hit: 5 starts within 60 s"
ok "nothing is left of it" leftovers "$crash"
ok "stop acknowledges the failure" "$CTL" stop "$crash"
assert_eq "state then says stopped" "$("$CTL" state "$crash")" "stopped"
ok "destroy it" "$CTL" destroy "$crash"
ok "nothing of it is left in the supervisor's directory" sh -c "! ls /run/nixos-nspawnctl/$crash.* 2>/dev/null | grep ."

# --- the supervisor: a caller's fds stay out of it, killed it takes the launcher along, one of two starts wins
# (a pipe's write end left open in the supervisor, however high its number, would keep `cat` waiting for ever)
ok "a caller's fd 1600 does not stay open in the supervisor or the launcher (restart | cat ends)" \
	timeout 60 bash -c 'ulimit -n 4096; (exec 1600>&1; "$0" restart "$1" >/dev/null 2>&1) | cat' "$CTL" "$name"
state=/run/nixos-nspawnctl/$name.state
sup=$(sed -n 's/^SUPERVISOR=//p' "$state"); launcher=$(sed -n 's/^LAUNCHER=//p' "$state")
kill -KILL "$sup"
ok "a SIGKILLed supervisor takes its launcher with it" wait_for 10 gone "$launcher"
assert_eq "state then says stopped, and it is" "$("$CTL" state "$name")" "stopped"
ok "start after that" "$CTL" start "$name"
ok "stop stops it" "$CTL" stop "$name"
ok "nothing is left of it" leftovers "$name"
raced=0
for i in 1 2 3; do
	"$CTL" start "$name" >"$T/start-a.out" 2>&1 & a=$!
	"$CTL" start "$name" >"$T/start-b.out" 2>&1; rc_b=$?
	wait "$a"; rc_a=$?
	[ "$rc_a $rc_b" = "0 0" ] && ! grep -q "exit status" "$T/start-a.out" "$T/start-b.out" || { raced=1; break; }
	[ $i = 3 ] || "$CTL" stop "$name"
done
[ "$raced" = 0 ]
_report $? "two starts at once: both succeed, the loser says it runs already (3 tries)" \
	"$rc_a $rc_b: $(cat "$T/start-a.out" "$T/start-b.out")"
assert_eq "and it runs" "$("$CTL" state "$name")" "running"
ok "terminate" "$CTL" terminate "$name"
assert_eq "state after terminate: stopped" "$("$CTL" state "$name")" "stopped"
ok "nothing is left after terminate" leftovers "$name"
mkdir -p "/var/lib/nixos-nspawn/$name" && touch "/var/lib/nixos-nspawn/$name/data"
ok "destroy" "$CTL" destroy "$name"
ok "destroy keeps the state unless asked" test -e "/var/lib/nixos-nspawn/$name/data"
ok "the settings and generations are gone" sh -c "! ls /etc/nixos-nspawn/$name.* $profile* 2>/dev/null | grep ."
ok "so are its console log and the rotated one" sh -c "! test -e $log && ! test -e $log.1"
fails "exists says no after destroy" "$CTL" exists "$name"
ok "create it again (the name is free)" "$CTL" create "$name" --config "$T/gen1.nix"
ok "destroy --delete-state" "$CTL" destroy "$name" --delete-state
ok "took the state too" test ! -e "/var/lib/nixos-nspawn/$name"
