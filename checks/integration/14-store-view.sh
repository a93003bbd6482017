#!/bin/bash
# The store view (spawn/view.c): built once per closure, shared by the containers of that closure, rebuilt when one
# of its paths was garbage-collected and made again, never built twice at once, gone after the last stop, and never
# its paths in the host's mount table (one nsfs bind per view there, and the container's propagation point).
# The stores here are copies in a temporary directory (--store-dir), so that a path can be "collected".
. "$(dirname "$0")/lib.sh"
need_root
fixture many 120
many=$closure
fixture tools
VIEWS=/run/nixos-nspawn/views
a=$(mname vwa) b=$(mname vwb) c=$(mname vwc) d=$(mname vwd)

# Not below /tmp: the container's own /tmp would cover a store there.
D=$(mktemp -d /var/tmp/nixos-nspawn-view.XXXXXX)
at_exit "rm -rf $D"
mkdir -p "$D/s1" "$D/s2"
sort -u "$closure" "$many" >"$T/paths"
for p in $(cat "$T/paths"); do cp -a "$p" "$D/s1/"; cp -a "$p" "$D/s2/"; done
bb=$(basename "$(dirname "$(dirname "$busybox")")")
n=$(wc -l <"$T/paths")
# a path of its own, to collect and make again: its file says which copy it is
gc=00000000000000000000000000000000-view-gc
mkdir "$D/s1/$gc" && echo first >"$D/s1/$gc/which"
{ sed "s|^/nix/store/|$D/s1/|" "$T/paths"; echo "$D/s1/$gc"; } >"$T/s1.closure"
sed "s|^/nix/store/|$D/s2/|" "$T/paths" >"$T/s2.closure"

# start NAME STORE ARGS... -- COMMAND: not quiet (the launcher says when it builds a view); stderr to $T/NAME.err
start() {
	local name=$1 store=$2; shift 2
	"$NSPAWN" -M "$name" --console=pipe --store-dir="$D/$store" --closure="$T/$store.closure" "$@" 2>"$T/$name.err"
}
# start_bg NAME STORE ARGS... -- COMMAND: the same in the background; $! is the launcher itself
start_bg() {
	local name=$1 store=$2; shift 2
	exec "$NSPAWN" -M "$name" --console=pipe --store-dir="$D/$store" --closure="$T/$store.closure" "$@" \
		2>"$T/$name.err" </dev/null
}
built() { grep -c "Built the store view" "$T/$1.err"; }
# what of the views and of the closures' paths the host's mount table shows
# by the key the launcher names when it builds the view (other runs' containers may hold views of their own)
key_of() { sed -n 's/^Built the store view \([0-9a-f]\{32\}\) .*/\1/p' "$T/$1.err" | head -n 1; }
host_view_mounts() { grep -c " $VIEWS/$1 " /proc/self/mountinfo; }
files_of() { ls -A "$VIEWS" 2>/dev/null | grep "^$1" | grep -v '\.lock$'; }
# (by the test's own store directory: other runs' live updates mount the shared fixtures' paths on this host)
host_path_mounts() { grep -cF "$D/" /proc/self/mountinfo; }
# the views this test made: those that were not there when it began (other runs' containers may hold theirs)

# --- a first container builds the view; a second one of the same closure clones it
start_bg "$a" s1 -- "$D/s1/$bb/bin/busybox" sh -c "cat $D/s1/$gc/which; exec sleep 600" >"$T/$a.out" &
pid_a=$!
wait_for 30 started "$pid_a"
_report $? "a container of the closure runs" "$(cat "$T/$a.err")"
assert_eq "its start built the view" "$(built "$a")" "1"
out=$(start "$b" s1 -- "$D/s1/$bb/bin/busybox" sh -c "cat $D/s1/$gc/which; ls $D/s1 | wc -l")
assert_eq "a second container of the closure sees the closure" "$out" "first
$((n + 1))"
assert_eq "its start built no view (it cloned the first one's)" "$(built "$b")" "0"
k1=$(key_of "$a")
assert_eq "one view in the host's mount table for the running closure" "$(host_view_mounts "$k1")" "1"
assert_eq "none of the closure's $((n + 1)) paths is in the host's mount table" "$(host_path_mounts)" "0"
out=$(grep -c " $D/s1/" "/proc/$(leader_of "$pid_a")/mountinfo")
assert_eq "inside, each path is a mount of its own" "$out" "$((n + 1))"

# --- the path collected and made again (a new inode): the next start rebuilds
rm -rf "${D:?}/s1/$gc" && mkdir "$D/s1/$gc" && echo second >"$D/s1/$gc/which"
out=$(start "$c" s1 -- "$D/s1/$bb/bin/busybox" cat "$D/s1/$gc/which")
assert_eq "a start after the path was made again sees the new path" "$out" "second"
assert_eq "that start rebuilt the view" "$(built "$c")" "1"
ok "the running container still runs" test -d "/proc/$pid_a"
rm -rf "${D:?}/s1/$gc"
fails "a start after the path was collected fails, naming it" start "$d" s1 -- /bin/true
assert_match "... naming it" "$(cat "$T/$d.err")" "$gc"

kill -TERM "$pid_a"; wait "$pid_a"
assert_eq "after the last stop no view is left" "$(files_of "$k1")" ""
assert_eq "... nor its mount in the host's mount table" "$(host_view_mounts "$k1")" "0"

# --- two first starts of one closure at once build one view: the first stops holding the view's lock (test stop
# point 6, spawn/testhook.h), the second waits for it. The first one's container lives on until the second one has
# run: had it stopped first, it would have removed the view (its last user), and the second would rightly build it.
NIXOS_NSPAWN_TEST_STOP_AT=6 start_bg "$a" s2 -- "$D/s2/$bb/bin/busybox" sleep 600 >/dev/null &
pid_a=$!
wait_for 30 sh -c "grep -q '^State:.*stopped' /proc/$pid_a/status"
_report $? "the first start stops at its view's lock" "$(cat "$T/$a.err")"
start_bg "$b" s2 -- "$D/s2/$bb/bin/busybox" true >/dev/null &
pid_b=$!
sleep 0.5
ok "the second start waits meanwhile" test -d "/proc/$pid_b"
kill -CONT "$pid_a"
wait_for 30 started "$pid_a"
_report $? "the first container runs" "$(cat "$T/$a.err")"
wait "$pid_b"; st_b=$?
assert_eq "the second container ran" "$st_b" "0"
assert_eq "one view was built between them" "$(($(built "$a") + $(built "$b")))" "1"
k2=$(key_of "$a") # the same closure as the next start's
kill -TERM "$pid_a"; wait "$pid_a"

# --- a launcher killed holding the view's lock: the next start of the closure finishes the job
NIXOS_NSPAWN_TEST_STOP_AT=6 start_bg "$c" s2 -- /bin/true >/dev/null &
pid_c=$!
wait_for 30 sh -c "grep -q '^State:.*stopped' /proc/$pid_c/status"
kill -KILL "$pid_c"; wait "$pid_c" 2>/dev/null
out=$(start "$d" s2 -- "$D/s2/$bb/bin/busybox" sh -c "ls $D/s2 | wc -l")
assert_eq "after a launcher was killed building the view, the next start runs" "$out" "$n"
assert_eq "no view is left after that" "$(files_of "$k2")" ""
assert_eq "... nor its mount" "$(host_view_mounts "$k2")" "0"

# --- a launcher killed while its container runs: the next start of any closure sweeps the view it alone used
# (spawn/view.c's sweep passes over a view a container holds without touching it: it must still see this one free)
e=$(mname vwe) f=$(mname vwf)
start_bg "$e" s2 -- "$D/s2/$bb/bin/busybox" sleep 600 >/dev/null &
pid_e=$!
wait_for 30 started "$pid_e"
k3=$(key_of "$e")
assert_eq "a container of the second closure built its view" "$(host_view_mounts "$k3")" "1"
kill -KILL "$pid_e"; wait "$pid_e" 2>/dev/null
"$NSPAWN" -q -M "$f" --console=pipe --closure="$closure" -- "$busybox" true 2>"$T/$f.err"
_report $? "then a container of another closure runs (its start sweeps)" "$(cat "$T/$f.err")"
assert_eq "its launcher killed, that start removed the view" "$(files_of "$k3")" ""
assert_eq "... and its mount" "$(host_view_mounts "$k3")" "0"

# --- a start that fails while its view's builder is at work (view_acquire_start() runs it in parallel with the rest
# of the set-up: here a host link in the way of the container's veth stops that set-up) ends the builder and leaves
# no view behind
g=$(mname vwg)
if ip link add "ve-$g" type veth peer name "vp-$g" 2>/dev/null; then
	at_exit "ip link del ve-$g 2>/dev/null"
	# (a deadline: a start that kept its own KEY.lock would wait for it for ever at its stop)
	timeout 60 "$NSPAWN" -M "$g" --console=pipe --store-dir="$D/s2" --closure="$T/s2.closure" --network-veth \
		-- /bin/true >/dev/null 2>"$T/$g.err"
	rc=$?
	ip link del "ve-$g" 2>/dev/null
	[ $rc != 0 ] && [ $rc != 124 ] && grep -q "ve-$g" "$T/$g.err"
	_report $? "a start refused after its view's builder started says why" "$rc: $(cat "$T/$g.err")"
	assert_eq "... and leaves no view of its closure" "$(files_of "$k3")" ""
	assert_eq "... nor its mount" "$(host_view_mounts "$k3")" "0"
	assert_eq "... nor a builder" "$(pgrep -f -- "-M $g " | wc -l)" "0"
else
	skip "a start refused while its view's builder works" "cannot make a veth pair here"
	skip "... and leaves no view of its closure" "cannot make a veth pair here"
	skip "... nor its mount" "cannot make a veth pair here"
	skip "... nor a builder" "cannot make a veth pair here"
fi
for m in "$a" "$b" "$c" "$d" "$e" "$f" "$g"; do ok "nothing of $m is left behind" leftovers "$m"; done
