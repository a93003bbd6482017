#!/bin/bash
# The limits every container has without being asked (spawn/resource-limits.c): a tasks limit on its cgroup, sizes
# and inode limits on each of its tmpfs mounts; and the options that change them.
. "$(dirname "$0")/lib.sh"
need_root
fixture tools
lm=$(mname lm)

# --- tasks ---
# Where the limit is: pids.max of the container's cgroup2 cgroup, or (hybrid hosts: pids bound to cgroup v1) of the
# v1 cgroup made for it. Prints it, or nothing when the container has none.
v1_pids=$(awk '$9 == "cgroup" && $NF ~ /(^|,)pids(,|$)/ { print $5; exit }' /proc/self/mountinfo)
tasks_limit_of() { # LAUNCHER-PID NAME
	local l
	l=$(leader_of "$1") || return 1
	if [ -n "$v1_pids" ] && [ -e "$v1_pids/nixos-nspawn/$2/pids.max" ]; then
		cat "$v1_pids/nixos-nspawn/$2/pids.max"
	elif [ -n "$cgroup2" ]; then # (standalone: on the machine's cgroup, above payload/)
		cat "$cgroup2/nixos-nspawn/$2/pids.max" 2>/dev/null
	fi
}
if [ -z "$v1_pids" ] && ! grep -qw pids "$cgroup2/cgroup.controllers" 2>/dev/null; then
	skip "tasks limit" "this host has no pids controller (neither cgroup2 nor v1)"
else
	run_bg "$lm" -- sleep 60 </dev/null
	wait_for 20 started "$bg_pid"
	assert_eq "without a unit, a container gets a tasks limit of 16384 (systemd-nspawn@.service's TasksMax=)" \
		"$(tasks_limit_of "$bg_pid" "$lm")" 16384
	stop_bg >/dev/null 2>&1
	ok "its tasks limit cgroup goes with it" sh -c "! test -e '${v1_pids:-/nonexistent}/nixos-nspawn/$lm'"

	run_bg "$lm" --tasks-max=infinity -- sleep 60 </dev/null
	wait_for 20 started "$bg_pid"
	got=$(tasks_limit_of "$bg_pid" "$lm")
	[ -z "$got" ] || [ "$got" = max ]; _report $? "--tasks-max=infinity: no limit of ours" "got: $got"
	stop_bg >/dev/null 2>&1

	# A fork loop that stops itself (200 at most, so that without a limit it ends too): with --tasks-max=64, the
	# shell (PID 1) and 63 sleeps are all there may be; the 64th fork fails and the shell gives up.
	out=$(run "$lm" --tasks-max=64 -- sh -c 'i=0; while [ $i -lt 200 ]; do sleep 60 & i=$((i + 1)); echo $i; done' \
		2>"$T/fork-err" </dev/null)
	last=$(printf '%s\n' "$out" | tail -n 1)
	assert_eq "--tasks-max=64: a fork loop inside stops at 63 children" "$last" 63
	assert_match "and the shell says the fork failed (EAGAIN)" "$(cat "$T/fork-err")" "can't fork"
	ok "the host forks as before" sh -c 'sleep 0 & wait'
	ok "nothing of it is left" leftovers "$lm"
fi
out=$(run "$lm" --tasks-max=0 -- true 2>&1); rc=$?
[ $rc != 0 ] && [ "$out" = "Invalid --tasks-max '0': expected a number of tasks (at least 1) or infinity." ]
_report $? "--tasks-max=0 is refused, in one line naming it" "$rc: $out"

# --- tmpfs ---
# statfs inside: blocks of 4 KiB and inodes, for each of the container's own tmpfs mounts
mem_kib=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
share() { echo $(( (mem_kib / 4 * $1 + 99) / 100 )); } # tmpfs' size=N%: N% of the host's pages, rounded up
out=$(run "$lm" -- sh -c 'for m in / /run /tmp /dev /dev/shm; do stat -f -c "$m %b %c" $m; done')
assert_eq "default limits: / 25% and 1m inodes, /run 20% and 800k, /tmp 10% and 400k, /dev 4m and 64k, /dev/shm 10% and 400k" \
	"$out" "/ $(share 25) 1048576
/run $(share 20) 819200
/tmp $(share 10) 409600
/dev 1024 65536
/dev/shm $(share 10) 409600"
mkdir -p "$T/image/sbin"
out=$(run "$lm" -D "$T/image" -- sh -c 'stat -f -c "%b %c" /')
assert_eq "with -D, the overlay's upper layer has the root's limits" "$out" "$(share 25) 1048576"
out=$(run "$lm" --tmpfs-limits=/run:size=8m,nr_inodes=1k --tmpfs-limits=/:size=3% --tmpfs-limits=/dev/shm:nr_inodes=2k \
	-- sh -c 'for m in / /run /dev/shm; do stat -f -c "$m %b %c" $m; done')
assert_eq "--tmpfs-limits changes them (and keeps what it does not name)" "$out" "/ $(share 3) 1048576
/run 2048 1024
/dev/shm $(share 10) 2048"
out=$(run "$lm" --tmpfs=/var --tmpfs=/srv:0700 -- sh -c 'stat -f -c "%b %c" /var; stat -c %a /srv; stat -f -c "%b %c" /srv')
assert_eq "a --tmpfs that names no size gets /tmp's limits; DST:MODE still works" "$out" "$(share 10) 409600
700
$(share 10) 409600"
out=$(run "$lm" --tmpfs-limits=/run:size=8m -- sh -c 'head -c 16777216 /dev/zero > /run/big 2>/dev/null; stat -c %s /run/big')
[ -n "$out" ] && [ "$out" -le 8388608 ] && [ "$out" -gt 8000000 ]
_report $? "a 16 MiB write to a /run of size=8m stops at 8 MiB" "got $out bytes"
for bad in /var:size=1m /run:mode=0755 /run:size=0 /run: /run; do
	out=$(run "$lm" --tmpfs-limits="$bad" -- true 2>&1); rc=$?
	[ $rc != 0 ] && [[ $out == "Invalid --tmpfs-limits '$bad': "* ]] && [ "$(printf '%s\n' "$out" | wc -l)" = 1 ]
	_report $? "--tmpfs-limits=$bad is refused, in one line naming it" "$rc: $out"
done
ok "nothing is left" leftovers "$lm"
