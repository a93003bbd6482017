#!/bin/bash
# nixos-nspawnctl bind/unbind: a writable and a read-only bind added to a running container, through propagation
# points, idmapped, locked against root inside, and gone at unbind and at stop; bad input leaves nothing.
. "$(dirname "$0")/lib.sh"
need_root
CTL=${CTL:-$BUILD/nixos-nspawnctl}
[ -x "$CTL" ] || skip_rest "build first: no $CTL"
[ -x "$BUILD/helpers/sdnotify" ] || skip_rest "build first: no sdnotify helper"
fixture standin "$BUILD/helpers/sdnotify"
export NIX_REMOTE=local NIX_PATH="nixpkgs=$nixpkgs" NIXOS_NSPAWN_GUEST_MODULE="$guest" NIXOS_NSPAWNCTL_NO_SYSTEMD=1
export NIX_CONFIG=$'sandbox = false\nbuild-users-group =\nsubstituters ='
export NIXOS_NSPAWN="$NSPAWN"

name=$(mname bind)
at_exit "$CTL terminate $name >/dev/null 2>&1; $CTL destroy $name >/dev/null 2>&1; rm -f /etc/nixos-nspawn/$name.conf /var/log/nixos-nspawn/$name.log /var/log/nixos-nspawn/$name.log.1 /run/nixos-nspawnctl/$name.*"
inside() { "$CTL" run "$name" -- "$@"; }
points() { find "/run/nixos-nspawn/binds/$name" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }
host_mounts() { grep -c " /run/nixos-nspawn/binds/$name/" /proc/self/mountinfo; }

printf '{ ... }: { fixture.hostName = "bindtest"; }\n' >"$T/c.nix"
"$CTL" create "$name" --config "$T/c.nix" --private-network >"$T/create.out" 2>&1 &&
	"$CTL" start "$name" >>"$T/create.out" 2>&1
_report $? "a running container" "$(tail -n 5 "$T/create.out")"

mkdir -p "$T/rw" "$T/ro"
echo host-file >"$T/ro/f"
echo host-rw >"$T/rw/g"
# a writable bind's files belong to the foreign range on disk (as for the launcher's --bind, 50-binds.sh)
"$NSPAWN" --chown-foreign="$T/rw" >/dev/null 2>&1
mkdir "$T/rw-unmoved"
out=$("$CTL" bind "$name" "$T/rw-unmoved" /srv/unmoved 2>&1)
assert_match "a writable source outside the foreign range is bound with the launcher's warning" "$out" \
	"Writable bind '$T/rw-unmoved' is owned by 0:0.*--chown-foreign"
"$CTL" unbind "$name" /srv/unmoved >/dev/null 2>&1

# --- a writable bind ---
"$CTL" bind "$name" "$T/rw" /srv/rw >"$T/b1.out" 2>&1
_report $? "bind NAME SRC DST adds a writable bind to the running container" "$(cat "$T/b1.out")"
assert_eq "the container sees the host's file at DST" "$(inside cat /srv/rw/g 2>&1)" "host-rw"
inside sh -c 'echo made-inside > /srv/rw/new; mkdir /srv/rw/d' >/dev/null 2>&1
assert_eq "what root inside writes is there on the host, owned by the foreign range (0x7FFE0000 + 0), not by a host user" \
	"$(cat "$T/rw/new" 2>&1) $(stat -c %u:%g "$T/rw/new" "$T/rw/d" 2>&1 | xargs)" "made-inside 2147352576:2147352576 2147352576:2147352576"
assert_match "it is mounted nosuid, nodev, idmapped inside" "$(inside grep " /srv/rw " /proc/self/mountinfo)" \
	" rw,nosuid,nodev,[a-z,]*idmapped"

# --- a read-only bind ---
"$CTL" bind "$name" "$T/ro" /srv/ro --read-only >"$T/b2.out" 2>&1
_report $? "bind … --read-only adds a read-only bind" "$(cat "$T/b2.out")"
assert_eq "the container sees it, the host's files as they are (idmapped 1:1: root's file is root's)" \
	"$(inside cat /srv/ro/f 2>&1) $(inside stat -c %u /srv/ro/f 2>&1)" "host-file 0"
fails "root inside cannot write to it" inside touch /srv/ro/x

# --- attacks: root inside can neither unmount nor remount them ---
for d in /srv/ro /srv/rw; do
	fails "attack: root inside cannot unmount $d" inside umount "$d"
	fails "attack: nor detach $d" inside umount -l "$d"
done
fails "attack: root inside cannot remount the read-only bind read-write" inside mount -o remount,rw /srv/ro
fails "attack: nor bind-remount it read-write" inside mount -o remount,bind,rw /srv/ro
fails "attack: nor remount the writable one with suid" inside mount -o remount,bind,suid /srv/rw
assert_eq "after all that both are still there, the read-only one read-only (its locked pair)" \
	"$(inside cat /srv/ro/f 2>&1) $(inside cat /srv/rw/g 2>&1) $(inside grep -c " /srv/ro ro," /proc/self/mountinfo)" \
	"host-file host-rw 2"
ok "nothing the container mounts below the bind reaches the host (the container's side is a slave)" \
	sh -c "'$CTL' run '$name' -- mount -t tmpfs x /srv/rw/d >/dev/null 2>&1; ! grep -q ' $T/rw/d ' /proc/self/mountinfo"

# --- bad input leaves nothing ---
before="$(points) $(host_mounts) $(inside grep -c " /srv/" /proc/self/mountinfo)"
bad_bind() { # DESCRIPTION PATTERN ARGS...
	local d=$1 p=$2 out rc; shift 2
	out=$("$CTL" "$@" 2>&1); rc=$?
	[ "$rc" != 0 ] && [[ $out =~ $p ]] && [ "$(wc -l <<<"$out")" = 1 ]
	_report $? "bad input: $d: one line naming it" "exit $rc: $out"
}
bad_bind "a relative destination" "Invalid bind destination 'srv/x'" bind "$name" "$T/ro" srv/x
bad_bind "'..' in the destination" "Invalid bind destination '/srv/../etc'" bind "$name" "$T/ro" /srv/../etc
bad_bind "the store" "Invalid bind destination '/nix/store/x'" bind "$name" "$T/ro" /nix/store/x
bad_bind "/proc" "Invalid bind destination '/proc'" bind "$name" "$T/ro" /proc
bad_bind "/run/host" "Invalid bind destination '/run/host/x'" bind "$name" "$T/ro" /run/host/x
bad_bind "/dev" "Invalid bind destination '/dev/x'" bind "$name" "$T/ro" /dev/x
bad_bind "a control character, escaped" "Invalid bind destination 'a.nb'" bind "$name" "$T/ro" $'a\nb'
bad_bind "a missing source" "Bind source '$T/missing': No such file" bind "$name" "$T/missing" /srv/m
bad_bind "a relative source" "Invalid bind source 'rel'" bind "$name" rel /srv/m
bad_bind "a destination bound already" "'/srv/rw' is already bound" bind "$name" "$T/ro" /srv/rw
bad_bind "an unknown container" "Unknown container" bind nosuch-container "$T/ro" /srv/m
inside mkdir -p /srv/plain
bad_bind "a file onto a directory (fails in the container, after the point was made)" \
	"Failed to bind '/srv/plain' in container '$name' \\(mount in the container\\): Invalid argument" \
	bind "$name" "$T/ro/f" /srv/plain --read-only
bad_bind "unbind of what is not bound" "'/srv/none' is not bound" unbind "$name" /srv/none
assert_eq "…and none of them left a propagation point, a host mount or a mount inside" \
	"$(points) $(host_mounts) $(inside grep -c " /srv/" /proc/self/mountinfo)" "$before"

# --- a source on a file system that refuses idmapping (overlayfs): the launcher's rule (spawn/idmap.c) ---
D=$T/ovl
mkdir -p "$D"/{lower,upper,work,merged}
echo overlay-file >"$D/lower/f"
if ! mount -t overlay nixos-nspawn-test -o "lowerdir=$D/lower,upperdir=$D/upper,workdir=$D/work" "$D/merged" 2>/dev/null; then
	skip "a source that cannot be idmapped" "cannot mount overlayfs here"
elif [ ! -x "$BUILD/helpers/idmap-probe" ] || [[ $("$BUILD/helpers/idmap-probe" "$D/merged") == *"idmap ok" ]]; then
	skip "a source that cannot be idmapped" "this kernel idmaps overlayfs (or no idmap-probe)"
	umount "$D/merged"
else
	at_exit "umount -l '$D/merged' 2>/dev/null"
	before="$(points) $(host_mounts) 0"
	bad_bind "a writable source that cannot be idmapped is refused, as the launcher refuses it" \
		"Bind source '$D/merged' is on a file system that cannot be idmapped \\(overlay\\), and a writable bind is not mapped otherwise" \
		bind "$name" "$D/merged" /srv/ovl
	assert_eq "…leaving nothing" "$(points) $(host_mounts) $(inside grep -c " /srv/ovl " /proc/self/mountinfo)" "$before"
	out=$("$CTL" bind "$name" "$D/merged" /srv/ovl --read-only 2>&1)
	_report $? "a read-only one falls back to no idmapping" "$out"
	assert_match "…with the launcher's warning" "$out" "Bind source '$D/merged' is on a file system that cannot be idmapped \(overlay\): bound read-only without idmapping"
	assert_eq "…and is there, owned by nobody inside" "$(inside cat /srv/ovl/f 2>&1) $(inside stat -c %u /srv/ovl/f 2>&1)" "overlay-file 65534"
	"$CTL" unbind "$name" /srv/ovl >/dev/null 2>&1
fi

# --- unbind ---
"$CTL" unbind "$name" /srv/ro >"$T/u.out" 2>&1
_report $? "unbind NAME DST removes a bind" "$(cat "$T/u.out")"
assert_eq "…from the container (nothing mounted at /srv/ro any more) and the host (one point left)" \
	"$(inside grep -c " /srv/ro " /proc/self/mountinfo) $(points)" "0 1"
"$CTL" bind "$name" "$T/ro" /srv/ro --read-only >/dev/null 2>&1
assert_eq "the same destination can be bound again" "$(inside cat /srv/ro/f 2>&1)" "host-file"

# --- status of the running container: memory and tasks from its machine cgroup, uptime ---
st=$("$CTL" status "$name" 2>&1)
pid1=$(awk '/leader: PID/ { print $3 }' <<<"$st")
assert_match "status shows how long PID 1 has run" "$st" "leader: PID [0-9]+
  uptime: [0-9]+s"
cg=$(findmnt -n -t cgroup2 -o TARGET | head -n 1)$(sed -n 's/^0:://p' "/proc/$pid1/cgroup")
cg=${cg%%/payload*}
if [ -e "$cg/pids.current" ]; then
	assert_eq "status shows the tasks of the container's machine cgroup, and their limit" \
		"$(sed -n 's/^  tasks: *\([0-9]*\) (max \(.*\))$/\1 \2/p' <<<"$st")" "$(cat "$cg/pids.current" "$cg/pids.max" | xargs)"
else
	skip "status shows the tasks of the container's machine cgroup" "no pids controller in its cgroup2 here ($cg)"
fi
if [ -e "$cg/memory.current" ]; then
	assert_match "status shows the memory of the container's machine cgroup, and its limit" "$st" "memory: [0-9.]+[KMGT] \(max "
else
	skip "status shows the memory of the container's machine cgroup" "no memory controller in its cgroup2 here ($cg)"
fi

# --- gone at stop ---
"$CTL" stop "$name" >/dev/null 2>&1
assert_eq "at stop every bind's propagation point is gone from the host" "$(points) $(host_mounts)" "0 0"
ok "…and its directory" test ! -e "/run/nixos-nspawn/binds/$name"
