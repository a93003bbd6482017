# Sourced by every integration test: a temp dir, cleanup on exit, TAP output and assertions.
# A test file is a list of claims: `ok "claim" COMMAND...` or compute and `check "claim" CONDITION-RESULT`.
# shellcheck shell=bash
set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
NSPAWN=${NSPAWN:-$TOP/build/nixos-nspawn}
NSNOTIFY=${NSNOTIFY:-$TOP/build/helpers/nsnotify}
T=$(mktemp -d /tmp/nixos-nspawn-test.XXXXXX)
_n=0
_failed=0
_cleanups=()

at_exit() { _cleanups+=("$*"); }
_finish() {
	local c
	for c in "${_cleanups[@]}"; do eval "$c" || true; done
	rm -rf "$T"
	echo "1..$_n"
	[ "$_failed" = 0 ]
}
trap '_finish' EXIT

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
	echo "# SKIP $1"
	exit 0
}

need_root() { [ "$(id -u)" = 0 ] || skip_rest "needs root"; }

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

# unheld FILE: it exists and nobody holds its lock. (flock(1) on a path would create it: open it read-only.)
unheld() { [ -e "$1" ] && (flock -n 9) 9<"$1" 2>/dev/null; }

cgroup2=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)

# Nothing of machine NAME may be left: mounts, cgroup, name lock, UID locks, processes.
leftovers() {
	local name=$1 found=""
	grep -q ' /run/nixos-nspawn' /proc/self/mountinfo && found+="mounts: $(grep ' /run/nixos-nspawn' /proc/self/mountinfo) "
	[ -n "$cgroup2" ] && [ -e "$cgroup2/nixos-nspawn/$name" ] && found+="cgroup $cgroup2/nixos-nspawn/$name "
	[ -e "/run/nixos-nspawn/machines/$name" ] && found+="lock /run/nixos-nspawn/machines/$name "
	# (a UID lock someone holds belongs to a container that runs: only one nobody holds was left behind)
	local f
	for f in /run/nixos-nspawn/uid/*; do
		unheld "$f" && found+="uid lock $f "
	done
	pgrep -f -- "nixos-nspawn.* -M $name( |$)" >/dev/null && found+="processes: $(pgrep -af -- "-M $name")"
	[ -z "$found" ] || { echo "$found"; return 1; }
}

# boot NAME ARGS...: boots in the background under nsnotify (which plays the service manager); waits for
# READY=1 and sets $ready_secs and $leader (PID 1 on the host) and $boot_pid. Fails after 120 s.
boot() {
	local name=$1 i; shift
	rm -f "$T/ready-$name"
	"$NSNOTIFY" --ready-file="$T/ready-$name" --timeout=120 -- \
		"$NSPAWN" -M "$name" --console=read-only --private-network "$@" >"$T/console-$name" 2>&1 &
	boot_pid=$!
	at_exit "kill -KILL $boot_pid 2>/dev/null"
	for i in $(seq 1 1300); do
		[ -s "$T/ready-$name" ] && break
		kill -0 $boot_pid 2>/dev/null || break
		sleep 0.1
	done
	[ -s "$T/ready-$name" ] || { tail -n 30 "$T/console-$name" | sed 's/^/# /'; return 1; }
	read -r ready_secs leader <"$T/ready-$name"
}
# in_container COMMAND...: run in the booted container's namespaces and root
in_container() { nsenter -t "$leader" -a -r -w "$@"; }
# stopped: waits for the booted launcher to exit; $? is its status
stopped() { wait "$boot_pid"; }
