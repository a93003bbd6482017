#!/bin/bash
# Exit and stop semantics.
. "$(dirname "$0")/lib.sh"
need_root
ex1=$(mname ex1) ex2=$(mname ex2)
fixture tools

run "$ex1" -- sh -c 'exit 7'; assert_eq "the exit status passes through" "$?" "7"
run "$ex1" -- true; assert_eq "exit 0 passes through" "$?" "0"

out=$(run "$ex1" -- /nonexistent 2>&1); rc=$?
assert_match "a missing command is named" "$out" "Failed to execute '/nonexistent'.*No such file"
[ "$rc" != 0 ]; _report $? "a missing command exits non-zero"

run_bg "$ex1" -- sleep 101; wait_for 20 started "$bg_pid"
inner=$(leader_of "$bg_pid")
[ -n "$inner" ] && kill -KILL "$inner"; wait $bg_pid
assert_eq "PID 1 killed by a signal gives 128+signal" "$?" "137"

run_bg "$ex1" -- sleep 102; wait_for 20 started "$bg_pid"
kill -TERM $bg_pid; wait $bg_pid
assert_eq "SIGTERM stops a command (SIGKILL by default for commands)" "$?" "137"

# SIGTERM to the monitor sends --kill-signal to PID 1. This one traps SIGUSR1 and exits 3.
# sig_in PID FIELD SIGNO: SIGNO is in the mask FIELD (SigCgt, SigIgn, SigPnd, ShdPnd) of /proc/PID/status
sig_in() {
	local m
	m=$(awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null)
	[ -n "$m" ] && (((0x$m >> ($3 - 1)) & 1))
}
# PID 1 has set its trap for SIGUSR1 (10): caught, or ignored
trapped() { started "$bg_pid" && sig_in "$(leader_of "$bg_pid")" "$1" 10; }
run_bg "$ex1" --kill-signal=SIGUSR1 -- sh -c 'trap "exit 3" USR1; while :; do sleep 0.1; done'; wait_for 20 trapped SigCgt
kill -TERM $bg_pid; wait $bg_pid
assert_eq "SIGTERM sends --kill-signal to PID 1" "$?" "3"

run_bg "$ex1" --kill-signal=SIGUSR1 -- sh -c 'trap "" USR1; while :; do sleep 0.1; done'; wait_for 20 trapped SigIgn
# (two SIGTERMs pending at once are one: the second is sent once the launcher has taken the first)
taken() { ! sig_in "$bg_pid" ShdPnd 15 && ! sig_in "$bg_pid" SigPnd 15; }
kill -TERM $bg_pid; wait_for 5 taken
kill -TERM $bg_pid; wait $bg_pid
assert_eq "a second SIGTERM kills PID 1" "$?" "137"

# A killed launcher takes its container with it; the next start cleans what it left.
run_bg "$ex2" -- sleep 103; wait_for 20 started "$bg_pid"
inner=$(leader_of "$bg_pid") inner_start=
[ -n "$inner" ] && inner_start=$(proc_start "$inner")
ok "the container's PID 1 is found and runs" test -n "$inner_start"
kill -KILL $bg_pid; wait $bg_pid 2>/dev/null
wait_for 5 gone "$inner" "$inner_start"
_report $? "a killed launcher's container dies too (PR_SET_PDEATHSIG)" "PID 1 ($inner) still runs: $(grep State "/proc/$inner/status" 2>&1)"
run "$ex2" -- true
assert_eq "the next start of the same name works" "$?" "0"
ok "and leaves nothing behind" leftovers "$ex2"
ok "nothing of ex1 is left behind" leftovers "$ex1"
