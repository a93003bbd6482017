#!/bin/bash
# The live update's store swap (ctl/live.c): a switch replaces the container's whole store with a new layer, in a
# mount namespace of the propagation point's own. The paths it adds arrive locked, the paths it drops are gone at
# the switch, the host's mount table and the container's own do not grow with the number of updates, a second
# container of the same closure sees nothing of the first's, and a SIGKILL at any step leaves nothing the next
# command does not finish or remove.
. "$(dirname "$0")/lib.sh"
need_root
CTL=${CTL:-$BUILD/nixos-nspawnctl}
[ -x "$CTL" ] || skip_rest "build first: no $CTL"
[ -x "$BUILD/helpers/sdnotify" ] || skip_rest "build first: no sdnotify helper"
fixture many 40
many=$closure
fixture standin "$BUILD/helpers/sdnotify"
export NIX_REMOTE=local NIX_PATH="nixpkgs=$nixpkgs" NIXOS_NSPAWN_GUEST_MODULE="$guest" NIXOS_NSPAWNCTL_NO_SYSTEMD=1
export NIX_CONFIG=$'sandbox = false\nbuild-users-group =\nsubstituters ='
export NIXOS_NSPAWN="$NSPAWN"

a=$(mname live) b=$(mname liveb)
for n in "$a" "$b"; do
	at_exit "$CTL terminate $n >/dev/null 2>&1; $CTL destroy $n >/dev/null 2>&1; rm -f /etc/nixos-nspawn/$n.conf /var/log/nixos-nspawn/$n.log /run/nixos-nspawnctl/$n.*"
done
NSDIR=/run/nixos-nspawn/propagate-ns
inside() { "$CTL" run "$a" -- "$@"; }
# the host's mounts of this container: those naming it (other tests mount meanwhile)
host_mounts() { grep -c -- "$a" /proc/self/mountinfo; }
# the container's own mount table (the namespace of its PID 1, where run enters)
container_mounts() { inside cat /proc/self/mountinfo | wc -l; }
is_nsfs() { [ "$(stat -f -c %T "$1" 2>/dev/null)" = nsfs ]; }
printf '{ ... }: { fixture.hostName = "livetest"; fixture.files.base = "live"; }\n' >"$T/one.nix"
printf '{ ... }: { fixture.hostName = "livetest"; fixture.files.base = "live two"; }\n' >"$T/two.nix"
ok "create" "$CTL" create "$a" --config "$T/one.nix" --private-network
ok "start" "$CTL" start "$a"
sys1=$(readlink -f "/nix/var/nix/profiles/per-nspawn/$a/system")
sys2=$(nix-build --no-out-link --expr '{ cfg }: (import <nixpkgs/nixos> { configuration = /. + cfg; }).system' \
	--argstr cfg "$T/two.nix" 2>"$T/build.err")
_report $? "a second system built" "$(cat "$T/build.err")"
# generation X: both systems' closures and 19 of the fixture's paths; Y: the same with 19 others (either system
# can switch to either: a switch to the other system with the closure the container has changes nothing)
grep -- '-many-' "$many" | head -n 19 >"$T/x.paths"
grep -- '-many-' "$many" | tail -n 19 >"$T/y.paths"
{ nix-store -qR "$sys1" "$sys2" && cat "$T/x.paths"; } | sort -u >"$T/x.closure"
{ nix-store -qR "$sys1" "$sys2" && cat "$T/y.paths"; } | sort -u >"$T/y.closure"
xp=$(head -n 1 "$T/x.paths") yp=$(head -n 1 "$T/y.paths")
pid1=$("$CTL" status "$a" | awk '/leader: PID/ { print $3 }')
# a live switch, never the restart it falls back to (which would pass every check of the store below too)
upd() {
	"$CTL" update "$a" --strategy switch --system "$1" --closure "$2" >"$T/upd.out" 2>&1 &&
		! grep -q "restarting it instead" "$T/upd.out" &&
		[ "$("$CTL" status "$a" | awk '/leader: PID/ { print $3 }')" = "$pid1" ] || { cat "$T/upd.out"; return 1; }
	cat "$T/upd.out"
}

host0=$(host_mounts)
ok "the first live switch (generation X)" upd "$sys2" "$T/x.closure"
ok "the point now lives in a namespace of its own, bound on the host" is_nsfs "$NSDIR/$a"
ok "the host's point is gone" test ! -e "/run/nixos-nspawn/propagate/$a"
assert_eq "an added path is there, with its content" "$(inside ls "$xp" | wc -l)" "$(ls "$xp" | wc -l)"
assert_eq "it is root's inside (idmapped)" "$(inside stat -c %u:%g "$xp")" "0:0"
assert_eq "and so is the store's directory" "$(inside stat -c %u:%g /nix/store)" "0:0"
assert_match "it is mounted read-only, nosuid, nodev, idmapped" "$(inside grep " $xp " /proc/self/mountinfo)" \
	" ro,nosuid,nodev,[a-z,]*idmapped"
assert_match "the store's directory is read-only, nosuid, nodev" \
	"$(inside awk '$5 == "/nix/store" { l = $0 } END { print l }' /proc/self/mountinfo)" " ro,nosuid,nodev"
ok "the new system's own paths are there" inside test -e "$sys2/init"
fails "what the host's store has beyond the closure is not" inside test -e "$(tail -n 1 "$T/y.paths")"
host1=$(host_mounts) cont1=$(container_mounts)
assert_eq "the host's mount table: as before (the namespace's bind replaced the host's point), none per path" \
	"$host1" "$host0"

# --- root inside cannot undo it
fails "root inside cannot unmount the store (busy)" inside umount /nix/store
fails "nor unmount an added path" inside umount "$xp"
fails "nor detach it" inside umount -l "$xp"
fails "nor remount the store read-write" inside mount -o remount,rw /nix/store
fails "nor an added path" inside mount -o remount,rw "$xp"
fails "nor write to the store" inside touch /nix/store/new
fails "nor to an added path" inside touch "$xp/new"
assert_eq "after all that the path is still there" "$(inside ls "$xp" | wc -l)" "$(ls "$xp" | wc -l)"
# The store's directory is the layer's top, the root of what propagated, which the kernel leaves unlocked (it locks
# all of a propagated tree but its top): root inside may detach it in its own namespace. What it finds below is the
# store it started with, itself locked since the start: nothing it was not given.
bb=$(grep -- '-busybox$' "$many")/bin/busybox
ok "root inside can detach the store's top layer in its own namespace" inside umount -l /nix/store
assert_eq "what is below is the store the container started with, nothing more" \
	"$(inside "$bb" ls /nix/store | sort | xargs)" "$(nix-store -qR "$sys1" | sed 's|.*/||' | sort | xargs)"
fails "which root inside cannot unmount" inside "$bb" umount -l /nix/store
fails "nor remount read-write" inside "$bb" mount -o remount,rw /nix/store

# --- a second container of the closure X started with: none of the first's added names
ok "create a second container of the first system" "$CTL" create "$b" --config "$T/one.nix" --private-network
ok "start it" "$CTL" start "$b"
assert_eq "it sees none of the paths the first container's update added (not even as names)" \
	"$("$CTL" run "$b" -- ls /nix/store | grep -cFf <(sed 's|.*/||' "$T/x.paths"))" "0"
ok "stop it" "$CTL" stop "$b"

# --- Y: adds 20, drops 20, and so on: the tables stay as they are
ok "switch to generation Y (over what root inside left of the store)" upd "$sys1" "$T/y.closure"
assert_match "it says it removed the 19 paths Y does not have" "$(cat "$T/upd.out")" "Removed 19 store paths"
fails "the paths X added and Y dropped are gone at the switch" inside test -e "$xp"
ok "Y's are there" inside test -e "$yp/."
for i in 1 2 3 4 5 6 7 8 9; do
	if ((i % 2)); then upd "$sys2" "$T/x.closure"; else upd "$sys1" "$T/y.closure"; fi >"$T/loop.out" 2>&1 ||
		break
done
_report $? "nine more switches, each adding 19 paths and dropping 19" "$(cat "$T/loop.out")"
ok "the last one's (X) paths are there" inside test -e "$xp/."
fails "Y's are gone" inside test -e "$yp"
assert_eq "the host's mount table after 11 updates is as after the first" "$(host_mounts)" "$host1"
assert_eq "the container's own mount table too" "$(container_mounts)" "$cont1"
out=$(upd "$sys1" "$T/x.closure" 2>&1)
_report $? "a switch to a closure the container has already" "$out"
assert_match "adds nothing" "$out" "0 store paths added"
ok "and removes nothing" sh -c '! printf "%s" "$1" | grep -q Removed' _ "$out"

# --- SIGKILLed at each step: the next update finishes or undoes it, the tables are as before
for point in live-layer live-beneath live-drop; do
	ok "an update killed at $point" killed_at "$point" "$CTL" update "$a" --strategy switch --system "$sys2" \
		--closure "$T/y.closure"
	fails "the store is read-only inside meanwhile" inside touch /nix/store/new
	ok "the next update after it" upd "$sys2" "$T/y.closure"
	ok "it switched: Y's paths are there" inside test -e "$yp/."
	fails "X's are gone" inside test -e "$xp"
	assert_eq "the host's mount table is as before" "$(host_mounts)" "$host1"
	assert_eq "the container's own too" "$(container_mounts)" "$cont1"
	ok "back to X" upd "$sys1" "$T/x.closure"
done

# --- the launcher's stop removes the namespace
ok "stop" "$CTL" stop "$a"
ok "the stop removed the namespace's bind" test ! -e "$NSDIR/$a"
ok "nothing is left of the container" leftovers "$a"

# --- the first update killed between binding the namespace and unmounting the host's point
ok "start again" "$CTL" start "$a"
pid1=$("$CTL" status "$a" | awk '/leader: PID/ { print $3 }')
ok "its first update killed with the namespace bound and the host's point still mounted" \
	killed_at live-namespace "$CTL" update "$a" --strategy switch --system "$sys2" --closure "$T/y.closure"
ok "both are there" sh -c "[ \"\$(stat -f -c %T $NSDIR/$a)\" = nsfs ] && mountpoint -q /run/nixos-nspawn/propagate/$a"
ok "the next update" upd "$sys2" "$T/y.closure"
ok "uses the namespace: the paths arrived" inside test -e "$yp/."
ok "and unmounted the host's point" test ! -e "/run/nixos-nspawn/propagate/$a"

# --- a killed launcher's namespace: the next start removes it
state=/run/nixos-nspawnctl/$a.state
sup=$(sed -n 's/^SUPERVISOR=//p' "$state"); launcher=$(sed -n 's/^LAUNCHER=//p' "$state")
kill -KILL "$sup" "$launcher" "$pid1"
ok "the launcher and its supervisor SIGKILLed" wait_for 10 gone "$launcher"
ok "the killed launcher left the namespace's bind" is_nsfs "$NSDIR/$a"
ok "start the second container (its start sweeps what dead containers left)" "$CTL" start "$b"
ok "the sweep removed the dead one's namespace" test ! -e "$NSDIR/$a"
ok "stop the second" "$CTL" stop "$b"
ok "nothing is left of the first" leftovers "$a"
ok "nothing is left of the second" leftovers "$b"
