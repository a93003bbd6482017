#!/bin/bash
# The system tests: builds (once) and boots the systemd test host, runs every checks/system/[0-9]*.sh scenario
# against it, and prints one TAP stream — the harness's own claims and the scenarios' claims, numbered in
# sequence — with timings as "# " lines. On any failure it prints the test host's journal. It always tears the
# test host down and checks that nothing is left on the host.
#
#   checks/system/run.sh [SCENARIO...]        (root; TH_SCENARIO_TIMEOUT=seconds per scenario, default 150)
. "$(dirname "$0")/lib.sh"
need_root
[ -x "$NSPAWN" ] && [ -x "$NSNOTIFY" ] || skip_rest "build first: make"
command -v nsenter >/dev/null || skip_rest "nsenter is missing"
[ -z "${TH_LEADER:-}" ] || skip_rest "already inside a harness (TH_LEADER is set)"

if [ $# -gt 0 ]; then scenarios=("$@"); else scenarios=("$TOP"/checks/system/[0-9]*.sh); fi
started=$SECONDS
passed=0 skipped=0

# Reports a scenario's TAP with our numbering: its plan is dropped ("1..0 # SKIP why" becomes a SKIP line), anything that
# is not TAP becomes a comment.
# Leaves "COUNT FAILED PASSED SKIPPED" in $T/counts.
renumber() { # NAME
	local line n=$_n f=0 p=0 s=0 plan=none re='^(not )?ok [0-9]+(.*)$'
	while IFS= read -r line || [ -n "$line" ]; do
		if [[ $line =~ $re ]]; then
			n=$((n + 1))
			if [[ $line == "not ok"* ]]; then
				[[ $line == *"# TODO"* || $line == *"# todo"* ]] || f=$((f + 1))
				echo "not ok $n${BASH_REMATCH[2]}"
			else
				if [[ $line == *"# SKIP"* || $line == *"# skip"* ]]; then
					s=$((s + 1))
				elif [[ $line != *"# TODO"* && $line != *"# todo"* ]]; then
					p=$((p + 1))
				fi
				echo "ok $n${BASH_REMATCH[2]}"
			fi
		elif [[ $line =~ ^1\.\.0[[:space:]]*#[[:space:]]*SKIP[[:space:]]*(.*)$ ]]; then # skip_rest: none of it could run
			n=$((n + 1)) s=$((s + 1)) plan=skipped
			echo "ok $n - $1 # SKIP ${BASH_REMATCH[1]}"
		elif [[ $line =~ ^1\.\.([0-9]+) ]]; then
			plan=${BASH_REMATCH[1]}
		elif [[ $line == "#"* ]]; then
			echo "$line"
		else
			echo "# $line"
		fi
	done
	# the plan against what the scenario ran (a scenario that stops early must not look green)
	local ran=$((n - _n))
	[ "$plan" = skipped ] && plan=0 ran=0
	echo "$n $f $p $s $plan $ran" >"$T/counts"
}
# Our own claims count like the scenarios'.
claim() { local before=$_failed; _report "$@"; [ "$_failed" = "$before" ] && passed=$((passed + 1)); return 0; }

stop_host() {
	local out
	[ -n "${th_pid:-}" ] || return 0
	th_teardown
	claim "$([ "$th_stop_rc" = 0 ]; echo $?)" "the test host powers off on SIGTERM with exit 0" \
		"status $th_stop_rc after ${th_stop_secs}s"
	echo "# test host: stopped in ${th_stop_secs}s"
	out=$(th_leftovers); claim $? "nothing of the test host is left on the host" "$out"
}
# Interrupted: stop the scenario (its cleanups still have the test host), then tear down as usual.
interrupted() {
	if [ -n "$scenario_pid" ]; then
		kill -TERM "$scenario_pid" 2>/dev/null
		wait "$scenario_pid" "$renumber_pid"
		read -r _n failed _ _ <"$T/counts" && _failed=$((_failed + failed))
	fi
	claim 1 "the system tests ran to the end" "interrupted"
	stop_host
	exit 130
}
scenario_pid=
trap interrupted INT TERM

# Every systemd inside (the test host, a dozen nested containers) takes inotify instances, all charged to root:
# the kernel's default of 128 runs out, and systemd then fails to start ("Too many open files").
if [ "$(cat /proc/sys/fs/inotify/max_user_instances)" -lt 1024 ]; then
	echo "# raising fs.inotify.max_user_instances to 1024 for the nested systemd instances"
	echo 1024 >/proc/sys/fs/inotify/max_user_instances
fi
th_image; claim $? "the test host image is ready"
[ -n "${TH_IMAGE:-}" ] || exit 1
echo "# image: $TH_IMAGE ($([ "$th_image_cold" = yes ] && echo "built cold" || echo cached) in ${th_image_secs}s)"

start=$(date +%s.%N)
fixture tools
fixture boot
echo "# fixtures (tools, boot closures): $(_secs_since "$start")s"

at_exit th_teardown # whatever happens
th_boot; claim $? "the test host boots to READY=1" "$(th_console_tail 40)"
[ -n "${TH_LEADER:-}" ] || exit 1
echo "# test host: $TH_NAME, leader $TH_LEADER, READY=1 after ${th_ready_secs}s"
th_running
claim $? "the test host is running (no failed unit)" "state: $th_state
$(th_exec systemctl --failed --no-pager --no-legend 2>&1)"
echo "# test host: $th_state after ${th_running_secs}s"

for s in "${scenarios[@]}"; do
	name=${s#"$TOP"/}
	echo "# $name"
	start=$SECONDS
	# In the background, so that a signal to us reaches the scenario before the test host goes.
	rm -f "$T/pipe" && mkfifo "$T/pipe"
	renumber "$name" <"$T/pipe" &
	renumber_pid=$!
	timeout -k 10 "${TH_SCENARIO_TIMEOUT:-150}" bash "$s" >"$T/pipe" 2>&1 &
	scenario_pid=$!
	wait "$scenario_pid"
	rc=$?
	scenario_pid=
	wait "$renumber_pid"
	read -r count failed p sk plan ran <"$T/counts"
	_n=$count _failed=$((_failed + failed)) passed=$((passed + p)) skipped=$((skipped + sk))
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		claim 1 "$name finished within ${TH_SCENARIO_TIMEOUT:-150}s" "it timed out or was killed (exit $rc)"
	elif [ "$plan" = none ]; then
		claim 1 "$name printed its plan" "it stopped early (exit $rc) after $ran test(s)"
	elif [ "$plan" != "$ran" ]; then
		claim 1 "$name ran the $plan test(s) it planned" "it ran $ran (exit $rc)"
	elif [ "$rc" != 0 ] && [ "$failed" = 0 ]; then
		claim 1 "$name exited $rc without reporting a failure"
	fi
	echo "# $name: $((SECONDS - start))s"
done

if [ "$_failed" != 0 ]; then
	echo "# --- the test host's journal (last 200 lines) ---"
	th_journal -b -o short-monotonic 2>&1 | tail -n 200 | th_comment
	echo "# --- its console (last 20 lines) ---"
	th_console_tail 20
fi

stop_host

echo "# system: $passed passed, $_failed failed, $skipped skipped in $((SECONDS - started))s"
[ "$_failed" = 0 ]
