# Sourced by every integration test (and, through checks/system/lib.sh, by the system scenarios).
# A test file is a list of claims; each claim prints one TAP line, and the plan (1..N) is printed at exit.
#
# Claims
#   ok DESC COMMAND...          holds when COMMAND exits 0 (its output is shown when it does not)
#   fails DESC COMMAND...       holds when COMMAND exits non-zero
#   assert_eq DESC GOT WANT     GOT = WANT
#   assert_match DESC GOT RE    GOT matches the bash regex RE (anchor it: a regex like '.' proves nothing)
#   _report STATUS DESC [DIAG]  STATUS 0 holds; otherwise DIAG is printed as "# " lines
#   skip DESC REASON            one counted skip ("ok N - DESC # SKIP REASON")
#   skip_rest REASON            nothing more can run here: "1..0 # SKIP REASON" when no claim ran yet, else one
#                               counted skip for the rest; exits 0
#   need_root                   skip_rest unless root (also: no built launcher -> skip_rest "build first")
#   (a file that calls `exit 0` before its last line gets a failing claim: it stopped early; the runner checks
#   the plan against what ran and fails any non-zero exit)
# Names, waiting
#   mname BASE                  a machine name unique to this test file's run: BASE-XXXX (4 random hex digits).
#                               Every container a test starts gets one, so that runs on one host do not collide.
#                               Keep BASE <= 7 characters when a test looks at link names: ve-BASE-XXXX then fits
#                               IFNAMSIZ (15) as it is; longer names are cut and hashed (ve-XXXXXXXXXXXhhhh).
#   wait_for SECS COMMAND...    runs COMMAND (quietly) every 0.05 s until it exits 0 (returns 0), or SECS seconds
#                               pass (returns 1). Use it instead of a fixed sleep: wait on the condition itself.
#   started PID                 the launcher PID's container has exec'd its command (so everything the launcher sets
#                               up before that — links, mounts, cgroup, registration — is in place)
#   leader_of PID               prints the container's PID 1 (host view) of launcher PID
#   gone PID [STARTTIME]        PID has exited (no such process, a zombie, or another process with a new start
#                               time); proc_start PID prints the start time to pass
# Running containers (fixture tools first: sets $closure $tools $busybox $outsider)
#   run NAME ARGS... -- CMD     a container with the tools closure and the caller's stdio
#   run_bg NAME ARGS... -- CMD  the same in the background; $bg_pid is the launcher; stop_bg stops it (SIGTERM)
#                               and returns its status
#   boot NAME ARGS...           a boot under nsnotify, waits for READY=1: $leader $boot_pid $ready_secs; on
#                               failure $leader is empty, so in_container fails too
#   in_container COMMAND...     in the booted container's namespaces;  stopped: waits for the booted launcher
#   leftovers NAME              fails, naming them, if mounts/cgroup/locks/processes of NAME are left (and UID
#                               locks or staging mounts nobody holds that are new since the test began)
#   nothing_new_left            fails, naming them, if mounts/cgroups/unheld locks of a launcher are new since
#                               the test began (for runs with no name of their own, such as refused flags); what
#                               is named after another test run's machine (mname's suffix, not ours) is not judged
# Other
#   at_exit COMMAND             run at exit (in order); $T is a private temp directory, removed at exit
#   fixture NAME                store fixtures as shell variables (checks/fixtures/nix-closures.sh)
#   $TOP $NSPAWN $NSNOTIFY      the repository, the launcher and nsnotify of the build in use ($BUILD, default
#                               build; make SANITIZE=1 runs with BUILD=build-sanitize)
# shellcheck shell=bash
set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$TOP/$BUILD ;; esac
NSPAWN=${NSPAWN:-$BUILD/nixos-nspawn}
NSNOTIFY=${NSNOTIFY:-$BUILD/helpers/nsnotify}
T=$(mktemp -d /tmp/nixos-nspawn-test.XXXXXX)
_n=0
_failed=0
_planned=
_cleanups=()

at_exit() { _cleanups+=("$*"); }
_finish() {
	local rc=$? c
	for c in "${_cleanups[@]}"; do eval "$c" || true; done
	rm -rf "$T"
	# A file that stops early with status 0 would look green with a plan of what ran: say so. (A non-zero status
	# is the runner's to report.)
	# (an exit on the file's last line is its end)
	if [ -n "$_exit_line" ] && [ "$rc" = 0 ] && [ -z "$_planned$_rest_skipped" ] &&
		[ "$_exit_line" != "$(awk 'NF { n = NR } END { print n }' "$0" 2>/dev/null)" ]; then
		_report 1 "$(basename "$0") runs to its end" "it called exit 0 at line $_exit_line"
	fi
	[ -n "$_planned" ] || echo "1..$_n"
	[ "$_failed" = 0 ]
}
trap '_finish' EXIT
# Every exit of the test file itself is noted (skip_rest's too): see _finish. (A subshell's exit notes nothing here.)
_exit_line= _rest_skipped=
exit() { [ "$BASH_SUBSHELL" != 0 ] || _exit_line=${BASH_LINENO[0]}; builtin exit "$@"; }

_report() { # STATUS DESCRIPTION [DIAGNOSTIC]
	_n=$((_n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $_n - $2"
	else
		echo "not ok $_n - $2"
		_failed=$((_failed + 1))
		[ -n "${3:-}" ] && printf '%s\n' "$3" | sed 's/^/# /'
	fi
	return 0
}

# ok DESCRIPTION COMMAND...: the claim holds when COMMAND succeeds
ok() {
	local d=$1 out rc; shift
	out=$("$@" 2>&1); rc=$?
	_report "$rc" "$d" "$out"
}
# fails DESCRIPTION COMMAND...: the claim holds when COMMAND fails
fails() {
	local d=$1 out rc; shift
	out=$("$@" 2>&1); rc=$?
	[ "$rc" != 0 ]; _report $? "$d" "expected failure, got exit 0: $out"
}
assert_eq() { # DESCRIPTION GOT WANT
	[ "$2" = "$3" ]; _report $? "$1" "got:  '$2'
want: '$3'"
}
assert_match() { # DESCRIPTION GOT REGEX
	[[ $2 =~ $3 ]]; _report $? "$1" "got:  '$2'
want: /$3/"
}
skip() { # DESCRIPTION REASON
	_n=$((_n + 1))
	echo "ok $_n - $1 # SKIP $2"
}
skip_rest() { # REASON: nothing more can run here
	if [ "$_n" = 0 ]; then
		echo "1..0 # SKIP $1"
		_planned=1
	else
		skip "the rest of $(basename "$0")" "$1"
		_rest_skipped=1
	fi
	exit 0
}

need_root() {
	[ "$(id -u)" = 0 ] || skip_rest "needs root"
	[ -x "$NSPAWN" ] || skip_rest "build first: no $NSPAWN"
}

_mname_suffix=$(od -An -N2 -tx1 /dev/urandom | tr -d ' \n')
mname() { echo "$1-$_mname_suffix"; }

wait_for() { # SECS COMMAND...
	local now end
	now=${EPOCHREALTIME/[.,]/}
	end=$((now + $1 * 1000000)); shift
	until "$@" >/dev/null 2>&1; do
		now=${EPOCHREALTIME/[.,]/}
		[ "$now" -lt "$end" ] || return 1
		sleep 0.05
	done
}

# The container's PID 1 is the launcher's child (CLONE_PARENT) in another PID namespace.
leader_of() { # LAUNCHER-PID
	local c
	for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
		[ "$(readlink /proc/"$c"/ns/pid)" != "$(readlink /proc/"$1"/ns/pid)" ] && { echo "$c"; return 0; }
	done
	return 1
}
# Until it execs, PID 1 is a copy of the launcher: the same executable file. (Compared by device and inode: the
# path of /proc/PID/exe changes with PID 1's mount namespace and root before the exec.)
started() { # LAUNCHER-PID
	local l a b
	l=$(leader_of "$1") || return 1
	a=$(stat -L -c %d:%i "/proc/$l/exe" 2>/dev/null) && b=$(stat -L -c %d:%i "/proc/$1/exe" 2>/dev/null) &&
		[ "$a" != "$b" ]
}
proc_start() { awk '{ sub(/^.*\) /, ""); print $20 }' "/proc/$1/stat" 2>/dev/null; }
gone() { # PID [STARTTIME]
	local st
	[ -n "$1" ] || return 1 # no PID at all is no evidence of anything
	st=$(awk '/^State:/ { print $2 }' "/proc/$1/status" 2>/dev/null) || return 0
	[ -z "$st" ] || [ "$st" = Z ] || { [ -n "${2:-}" ] && [ "$(proc_start "$1")" != "$2" ]; }
}

# Fixture values as shell variables: fixture tools → $busybox $tools $closure $outsider
fixture() {
	local line out
	out=$(bash "$TOP/checks/fixtures/nix-closures.sh" "$@") || skip_rest "fixture '$*' could not be built"
	while IFS= read -r line; do
		case $line in *=*) eval "${line%%=*}=\$'${line#*=}'" ;; esac
	done <<<"$out"
}

# run NAME ARGS... -- COMMAND: a container with the tools closure and the caller's stdio
run() {
	local name=$1; shift
	"$NSPAWN" -q -M "$name" --console=pipe --closure="$closure" --setenv=PATH="$tools/bin" "$@"
}

# run_bg NAME ARGS...: the same in the background; $bg_pid is the launcher's pid
run_bg() {
	local name=$1; shift
	"$NSPAWN" -q -M "$name" --console=pipe --closure="$closure" --setenv=PATH="$tools/bin" "$@" &
	bg_pid=$!
}
stop_bg() { kill -TERM "$bg_pid"; wait "$bg_pid"; }

# unheld FILE: it exists and nobody holds its lock. (flock(1) on a path would create it: open it read-only.)
unheld() { [ -e "$1" ] && { (flock -n 9) 9<"$1"; } 2>/dev/null; }

cgroup2=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)

# Nothing of machine NAME may be left: mounts, cgroup, name lock, UID locks, processes.
leftovers() {
	local name=$1 found="" re new
	re=" /run/nixos-nspawn/[^ ]*/$name[/ ]"
	grep -qE "$re" /proc/self/mountinfo && found+="mounts: $(grep -E "$re" /proc/self/mountinfo) "
	# (a live update's namespace of the store's propagation point, ctl/live.c, or the file of a killed one)
	[ -e "/run/nixos-nspawn/propagate-ns/$name" ] && found+="propagation namespace /run/nixos-nspawn/propagate-ns/$name "
	[ -n "$cgroup2" ] && [ -e "$cgroup2/nixos-nspawn/$name" ] && found+="cgroup $cgroup2/nixos-nspawn/$name "
	[ -e "/run/nixos-nspawn/machines/$name" ] && found+="lock /run/nixos-nspawn/machines/$name "
	pgrep -f -- "nixos-nspawn.* -M $name( |$)" >/dev/null && found+="processes: $(pgrep -af -- "-M $name")"
	# What is named by no machine (the staging tree, UID locks) counts when it is new since this test began
	new=$(_lasting_new '^(mount /run/nixos-nspawn/staging|lock /run/nixos-nspawn/uid/)')
	[ -z "$new" ] || found+="$new"
	[ -z "$found" ] || { echo "$found"; return 1; }
}

# _state: what a launcher could leave behind on this host, one per line: mounts below /run/nixos-nspawn, propagation
# points, cgroups below nixos-nspawn/, and lock files (machine and UID) that nobody holds. (A lock someone holds is a container
# that runs; so are the mounts and cgroup of a machine whose lock is held.)
_state() {
	local f m
	# (/run/nixos-nspawn/views and propagate-ns themselves are private binds kept for good, spawn/nskeep.c; the
	# namespaces below them are not)
	awk '$5 ~ "^/run/nixos-nspawn/" && $5 != "/run/nixos-nspawn/views" && $5 != "/run/nixos-nspawn/propagate-ns" { print "mount " $5 }' /proc/self/mountinfo
	for f in /run/nixos-nspawn/propagate/* /run/nixos-nspawn/propagate-ns/*; do [ -e "$f" ] && echo "propagation-point $f"; done
	if [ -n "$cgroup2" ]; then
		for f in "$cgroup2"/nixos-nspawn/*/; do [ -d "$f" ] && echo "cgroup ${f%/}"; done
	fi
	for f in /run/nixos-nspawn/machines/* /run/nixos-nspawn/uid/*; do unheld "$f" && echo "lock $f"; done
}
_baseline=$(_state 2>/dev/null | sort)
# _machine_of PATH: the machine a path of _state's is named after ("" for what no machine names: the staging tree,
# UID locks, store views): /run/nixos-nspawn/KIND/NAME[/…], or the cgroup nixos-nspawn/NAME.
_machine_of() {
	local p=$1
	case $p in
	/run/nixos-nspawn/staging* | /run/nixos-nspawn/uid/* | /run/nixos-nspawn/views/*) return ;;
	/run/nixos-nspawn/*/*) p=${p#/run/nixos-nspawn/*/} ;;
	"$cgroup2"/nixos-nspawn/*) p=${p#"$cgroup2"/nixos-nspawn/} ;;
	*) return ;;
	esac
	echo "${p%%/*}"
}
# _new_state: what _state shows now and did not when this test began (what other runs left before is not ours),
# less what belongs to a running machine.
_new_state() {
	local kind path m
	comm -13 <(printf '%s\n' "$_baseline") <(_state 2>/dev/null | sort) | while read -r kind path; do
		m=$(_machine_of "$path")
		# another test run's machine (mname's suffix, not ours): not this run's to judge on a shared host
		[[ $m =~ -[0-9a-f]{4}$ ]] && [[ $m != *"-$_mname_suffix" ]] && continue
		[ "$kind" != lock ] && [ -n "$m" ] && [ -e "/run/nixos-nspawn/machines/$m" ] &&
			! unheld "/run/nixos-nspawn/machines/$m" && continue
		# a store view that a container uses (it holds KEY.users, spawn/view.h), whoever's, is no leftover
		if [[ $path == /run/nixos-nspawn/views/* ]]; then
			m=${path#/run/nixos-nspawn/views/} m=${m%%/*}
			[ -e "/run/nixos-nspawn/views/$m.users" ] && ! unheld "/run/nixos-nspawn/views/$m.users" && continue
		fi
		# (a cgroup with processes in it is a container that runs or is being torn down, not a leftover)
		[ "$kind" = cgroup ] && grep -qx 'populated 1' "$path/cgroup.events" 2>/dev/null && continue
		echo "$kind $path"
	done
}
# _lasting_new [ERE]: the lines of _new_state (matching ERE) that are still there after 3 s: launchers of other runs
# that start or stop right now have lock files nobody holds for a moment.
_lasting_new() {
	local left end
	left=$(_new_state | grep -E "${1:-.}" | sort)
	end=$((SECONDS + 3))
	while [ -n "$left" ] && [ "$SECONDS" -le "$end" ]; do
		sleep 0.1
		left=$(comm -12 <(printf '%s\n' "$left") <(_new_state | sort))
	done
	[ -z "$left" ] || printf '%s\n' "$left"
}
# nothing_new_left: nothing of what a launcher could leave behind (see _state) is new since this test began and
# lasts; prints what is, and fails.
nothing_new_left() {
	local left
	left=$(_lasting_new)
	[ -z "$left" ] || { echo "$left"; return 1; }
}

# boot NAME ARGS...: boots in the background under nsnotify (which plays the service manager); waits for
# READY=1 and sets $ready_secs and $leader (PID 1 on the host) and $boot_pid. Fails after 120 s.
boot() {
	local name=$1; shift
	leader= ready_secs=
	rm -f "$T/ready-$name"
	"$NSNOTIFY" --ready-file="$T/ready-$name" --timeout=120 -- \
		"$NSPAWN" -M "$name" --console=read-only --private-network "$@" >"$T/console-$name" 2>&1 &
	boot_pid=$!
	at_exit "kill -KILL $boot_pid 2>/dev/null"
	wait_for 130 _ready_or_dead "$T/ready-$name"
	[ -s "$T/ready-$name" ] || { tail -n 30 "$T/console-$name" | sed 's/^/# /'; return 1; }
	read -r ready_secs leader <"$T/ready-$name"
}
_ready_or_dead() { [ -s "$1" ] || ! kill -0 "$boot_pid" 2>/dev/null; }
# in_container COMMAND...: run in the booted container's namespaces and root
in_container() { [ -n "$leader" ] && nsenter -t "$leader" -a -r -w "$@"; }
# stopped: waits for the booted launcher to exit; $? is its status
stopped() { wait "$boot_pid"; }

# killed_at POINT COMMAND...: runs COMMAND with NIXOS_NSPAWNCTL_TEST_STOP_AT=POINT (nixos-nspawnctl, or its mounting
# child, stops itself there), SIGKILLs it once it or a child stopped; fails when nothing stopped within 120 s.
# Output in $T/killed.out.
stopped_tree() { local q; for q in $1 $(pgrep -P "$1"); do grep -q '^State:[[:space:]]*T' "/proc/$q/status" 2>/dev/null && return 0; done; return 1; }
killed_at() {
	NIXOS_NSPAWNCTL_TEST_STOP_AT=$1 "${@:2}" >"$T/killed.out" 2>&1 & local p=$!
	wait_for 120 stopped_tree "$p"; local rc=$?
	kill -KILL "$p"; wait "$p" 2>/dev/null
	return $rc
}
