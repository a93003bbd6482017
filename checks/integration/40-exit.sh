#!/bin/bash
# Exit and stop semantics.
. "$(dirname "$0")/lib.sh"
need_root
fixture tools

run ex1 -- sh -c 'exit 7'; assert_eq "the exit status passes through" "$?" "7"
run ex1 -- true; assert_eq "exit 0 passes through" "$?" "0"

out=$(run ex1 -- /nonexistent 2>&1); rc=$?
assert_match "a missing command is named" "$out" "Failed to execute '/nonexistent'.*No such file"
[ "$rc" != 0 ]; _report $? "a missing command exits non-zero"

# PID 1's pid on the host: the container's only process named like this
pid1_of() { pgrep -f "^$1" | head -n1; }

run_bg ex1 -- sleep 101; sleep 1
kill -KILL "$(pid1_of 'sleep 101')"; wait $bg_pid
assert_eq "PID 1 killed by a signal gives 128+signal" "$?" "137"

run_bg ex1 -- sleep 102; sleep 1
kill -TERM $bg_pid; wait $bg_pid
assert_eq "SIGTERM stops a command (SIGKILL by default for commands)" "$?" "137"

# SIGTERM to the monitor sends --kill-signal to PID 1. This one traps SIGUSR1 and exits 3.
run_bg ex1 --kill-signal=SIGUSR1 -- sh -c 'trap "exit 3" USR1; while :; do sleep 0.1; done'; sleep 1
kill -TERM $bg_pid; wait $bg_pid
assert_eq "SIGTERM sends --kill-signal to PID 1" "$?" "3"

run_bg ex1 --kill-signal=SIGUSR1 -- sh -c 'trap "" USR1; while :; do sleep 0.1; done'; sleep 1
kill -TERM $bg_pid; sleep 0.5; kill -TERM $bg_pid; wait $bg_pid
assert_eq "a second SIGTERM kills PID 1" "$?" "137"

# A killed launcher takes its container with it; the next start cleans what it left.
run_bg ex2 -- sleep 103; sleep 1
inner=$(pid1_of 'sleep 103')
kill -KILL $bg_pid; wait $bg_pid 2>/dev/null
sleep 0.5
state=$(awk '/^State:/ { print $2 }' "/proc/$inner/status" 2>/dev/null)
assert_match "a killed launcher's container dies too (PR_SET_PDEATHSIG)" "${state:-gone}" "^(gone|Z)$"
run ex2 -- true
assert_eq "the next start of the same name works" "$?" "0"
ok "and leaves nothing behind" leftovers ex2
ok "nothing of ex1 is left behind" leftovers ex1
