#!/bin/bash
# Faults: the launcher SIGKILLed at each stop point (NIXOS_NSPAWN_TEST_STOP_AT, spawn/testhook.h: it stops itself
# there, no timing luck), with and without networking; then a start of ANOTHER name must clean everything the
# killed one left: mounts, cgroup, lock files, export, units, links, processes.
. "$(dirname "$0")/lib.sh"
need_root
fixture tools
POINTS=6 # TEST_STOP_POINTS: 0 before cloning, then sync points 1-5 (spawn/sync.h)

# Everything of machine $1 that could outlive its launcher ($2: the export path, $3: the zone, if any).
left_of() {
	local name=$1 export=${2:-} zone=${3:-} found="" f
	grep -q " /run/nixos-nspawn/propagate/$name " /proc/self/mountinfo && found+="propagation mount "
	[ -e "/run/nixos-nspawn/propagate/$name" ] && found+="propagation dir "
	[ -e "/run/nixos-nspawn/propagate-ns/$name" ] && found+="propagation namespace "
	[ -n "$cgroup2" ] && [ -e "$cgroup2/nixos-nspawn/$name" ] && found+="cgroup "
	[ -e "/run/nixos-nspawn/machines/$name" ] && found+="machine lock "
	[ -e "/run/nixos-nspawn/exports/$name" ] && found+="export record "
	[ -n "$export" ] && [ -e "$export" ] && found+="export $export "
	ls /run/systemd/network/ 2>/dev/null | grep -q -- "-$name\.network" && found+="network unit "
	ip -o link show 2>/dev/null | grep -qE -- "(ve|vb)-$name[:@]" && found+="link "
	if [ -n "$zone" ]; then
		ip link show "vz-$zone" >/dev/null 2>&1 && found+="zone bridge "
		[ -e "/run/systemd/network/10-vz-$zone.network" ] && found+="zone unit "
		[ -e "/run/nixos-nspawn/zones/$zone" ] && found+="zone lock file "
	fi
	for f in $uid_locks; do # the killed launcher's own (others' come and go meanwhile)
		unheld "$f" && found+="unheld uid lock $f "
	done
	pgrep -f -- "-M $name( |$)" >/dev/null && found+="launcher process "
	[ -z "$found" ] || { echo "$found"; return 1; }
}
# The processes other than $2 that have file $1 open (copies of a lock fd keep the lock).
others_holding() {
	local f p
	# (one find for all processes: a readlink per fd would fork thousands of times)
	find /proc/[0-9]*/fd -maxdepth 1 -lname "$1" 2>/dev/null | while read -r f; do
		p=${f#/proc/} p=${p%%/*}
		[ "$p" = "$2" ] || echo "$p"
	done | sort -u
}
no_other_holds() { [ -z "$(others_holding "$@")" ]; }
free_or_gone() { [ ! -e "$1" ] || unheld "$1"; }
is_stopped() { [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" = T ]; }

zone=$(mname z)
for net in none veth zone; do
	for point in $(seq 0 $((POINTS - 1))); do
		a=$(mname "f$point${net:0:1}") b=$(mname "g$point${net:0:1}")
		args=() export="" z=""
		case $net in
		veth) export=/run/netns/$a; args=(-n --network-namespace-export) ;;
		zone) z=$zone; args=(--network-zone="$zone") ;;
		esac
		NIXOS_NSPAWN_TEST_STOP_AT=$point "$NSPAWN" -q -M "$a" --console=pipe --closure="$closure" \
			--setenv=PATH="$tools/bin" "${args[@]}" -- "$busybox" sleep 60 </dev/null >"$T/out-$a" 2>&1 &
		pid=$!
		at_exit "kill -KILL $pid 2>/dev/null"
		if ! wait_for 20 is_stopped "$pid"; then
			_report 1 "[$net] stop point $point: the launcher stops there" "$(cat "$T/out-$a")"
			continue
		fi
		uid_locks=$(for f in /proc/$pid/fd/*; do readlink "$f"; done | grep -E '^/run/(nixos-nspawn/uid|systemd/nspawn-uid)/')
		[ -n "$uid_locks" ]; _report $? "[$net] stop point $point: the stopped launcher holds its UID locks" "$uid_locks"
		before=$(left_of "$a" "$export" "$z")
		# Only the launcher holds its locks: its children (the outer child, PID 1 before its exec) close their
		# copies first thing (spawn/child.c), so a killed launcher's machine does not look running until they
		# die too. (wait_for: at point 1 the outer child may not have run yet when the launcher stops.)
		lock=/run/nixos-nspawn/machines/$a
		# (the wait's own verdict: other runs' launchers open every lock file for an instant when they probe or
		# sweep, so a second look after the wait could catch a new one; a holder of ours stays for good)
		wait_for 5 no_other_holds "$lock" "$pid"; rc=$?
		holders=$(others_holding "$lock" "$pid")
		[ "$rc" = 0 ]; _report $? "[$net] stop point $point: only the launcher holds the machine lock" \
			"also held by: $(for h in $holders; do tr '\0' ' ' <"/proc/$h/cmdline"; echo " ($h)"; done)"
		kill -KILL "$pid"; wait "$pid" 2>/dev/null
		# (not at once: other runs' launchers probe every lock file for an instant, and under a load of many
		# starts they may do so again and again; nobody else holding it, above, is what makes it free)
		# (or gone: another run's launcher sweeps a lock file nobody holds)
		wait_for 10 free_or_gone "$lock"; _report $? "[$net] stop point $point: the machine lock is free after the SIGKILL"
		# and a dead namespace's veth goes with it, asynchronously, in the kernel: the zone's bridge is empty after
		[ "$net" = zone ] && wait_for 10 sh -c "! ip link show vb-$a"
		# the sweep must not need the dead one's name: start another
		out=$(run "$b" -- "$busybox" true 2>&1); rc=$?
		[ "$rc" = 0 ]; _report $? "[$net] stop point $point: another machine starts after the kill" "$out"
		# a namespace freed by the sweep takes its veth along asynchronously: wait for that, not a fixed time
		wait_for 10 left_of "$a" "$export" "$z"
		after=$(left_of "$a" "$export" "$z"); rc=$?
		echo "# [$net] point $point: left by the kill: ${before:-nothing}"
		[ "$rc" = 0 ]; _report $? "[$net] stop point $point: the start of $b cleaned everything $a left" "$after"
	done
done
ok "nothing of the second machines is left" sh -c "! ls /run/nixos-nspawn/machines/ | grep -q '^g.-'"

# The same name again right after its launcher was SIGKILLed with an export (what Restart= does): the start finds
# the dead one's export (its record names the path) and removes it before it makes its own. The sweep of other
# names skips this one (its lock is ours by then), so the start itself must do it.
for delay in 0.5 0; do
	r=$(mname "r${delay/./}")
	run_bg "$r" -n --network-namespace-export -- "$busybox" sh -c 'mkdir /sys/fs/cgroup/left-by-the-first; exec sleep 60' \
		</dev/null >"$T/out-$r" 2>&1
	at_exit "kill -KILL $bg_pid 2>/dev/null"
	if ! wait_for 20 started "$bg_pid"; then
		_report 1 "restart ${delay}s after a SIGKILL with an export: the first start runs" "$(cat "$T/out-$r")"
		continue
	fi
	kill -KILL "$bg_pid"; wait "$bg_pid" 2>/dev/null
	sleep "$delay"
	out=$(run "$r" -n --network-namespace-export -- "$busybox" sh -c '! test -e /sys/fs/cgroup/left-by-the-first' 2>&1); rc=$?
	[ "$rc" = 0 ]; _report $? "restart ${delay}s after a SIGKILL with an export: the same name starts again, in a cgroup of its own (none of the first one's cgroups)" "$rc: $out"
	ok "restart ${delay}s after a SIGKILL with an export: its export and record are gone after it" \
		sh -c "! test -e /run/netns/$r && ! test -e /run/nixos-nspawn/exports/$r"
done

# A bad input's error is its only line even while a killed launcher's leftovers lie on the host: every check of
# input (the network override files too) comes before a start locks or sweeps anything (spawn/main.c), so no
# "Removing … that a killed launcher left" line comes before it. (Without -q: those lines are info.)
k=$(mname kbad) kb=$(mname kbadb)
printf '[Network]\nAddress=10.0.0.1/24\033[2J\n' >"$T/ini-control"
NIXOS_NSPAWN_TEST_STOP_AT=2 "$NSPAWN" -q -M "$k" --console=pipe --closure="$closure" --setenv=PATH="$tools/bin" \
	-- "$busybox" sleep 60 </dev/null >"$T/out-$k" 2>&1 &
pid=$!
at_exit "kill -KILL $pid 2>/dev/null"
if wait_for 20 is_stopped "$pid"; then
	uid_locks=$(for f in /proc/$pid/fd/*; do readlink "$f"; done | grep -E '^/run/(nixos-nspawn/uid|systemd/nspawn-uid)/')
	kill -KILL "$pid"; wait "$pid" 2>/dev/null
	wait_for 10 free_or_gone "/run/nixos-nspawn/machines/$k"
	echo "# left by the kill before the bad start: $(left_of "$k")"
	out=$("$NSPAWN" -M "$kb" --console=pipe --closure="$closure" -n --network-veth-host-config="$T/ini-control" \
		-- "$busybox" true 2>&1 </dev/null); rc=$?
	lines=$(printf '%s\n' "$out" | grep -c .)
	[ "$rc" != 0 ] && [ "$lines" = 1 ] && [[ $out == *"$T/ini-control"* ]]
	_report $? "a bad network fragment's error is its only line, with a killed launcher's leftovers on the host" \
		"exit $rc, $lines lines: $out"
	out=$(run "$kb" -- "$busybox" true 2>&1); rc=$?
	assert_eq "a valid start after it runs" "$rc:$out" "0:"
	wait_for 10 left_of "$k"
	ok "and nothing of the killed one is left after it" left_of "$k"
else
	_report 1 "the launcher stops at point 2" "$(cat "$T/out-$k")"
fi
