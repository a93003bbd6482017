# Sourced by the system scenarios and their harness (checks/system/run.sh). The scenarios run on the host and
# reach into the systemd test host — a Debian with systemd, dbus, machined, networkd and resolved, booted by our
# own launcher — with th_exec; nested containers are started inside it as they would be on a real host.
#
# Everything of checks/integration/lib.sh is here too (ok, fails, assert_eq, assert_match, skip, fixture, at_exit,
# $T, $TOP, $NSPAWN). Added: todo, th_exec, th_sh, th_journal, th_unit_diag, and the test host's life cycle
# (th_image, th_boot, th_teardown), which the harness uses once for all scenarios. A scenario started alone
# boots its own test host and tears it down at exit.
#
# The test host, as the harness exports it:
#   TH_NAME     its machine name on the host
#   TH_LEADER   its PID 1, as the host sees it
#   TH_TOP      where this repository is inside it ($TOP, or /opt/nixos-nspawn when $TOP is under /tmp)
#   TH_NSPAWN   the launcher inside it ($TH_TOP/build/nixos-nspawn)
#   TH_SHARED   a read-write directory at the same path on both sides (files for it, results from it)
# shellcheck shell=bash
. "$(dirname "${BASH_SOURCE[0]}")/../integration/lib.sh"

TH_PACKAGES=systemd-container,systemd-resolved,iproute2,udev,iputils-ping,procps,libnss-resolve
TH_CACHE=${NIXOS_NSPAWN_CACHE:-/var/cache/nixos-nspawn}
# The test host's own image, seen inside it: nested containers boot it too when they need networkd and resolved
TH_GUEST_IMAGE=/var/lib/nixos-nspawn-test/image
TH_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# todo DESCRIPTION REASON COMMAND...: a known gap, reported as TODO (never a failure); "ok … # TODO" means the
# gap has closed and the line can become an `ok`.
todo() {
	local d=$1 why=$2 out rc; shift 2
	out=$("$@" 2>&1); rc=$?
	_n=$((_n + 1))
	if [ "$rc" = 0 ]; then
		echo "ok $_n - $d # TODO $why"
	else
		echo "not ok $_n - $d # TODO $why"
		[ -n "$out" ] && printf '%s\n' "$out" | th_comment
	fi
	return 0
}

# th_comment: stdin as TAP comments, each line whole (a console's last line may lack its newline), without
# colours or carriage returns
th_comment() { awk '{ gsub(/\033\[[0-9;]*m|\r/, ""); print "# " $0 }'; }

# th_exec COMMAND...: run COMMAND in the test host (all its namespaces, its root and cwd) with a clean
# environment, so nothing of the caller's (NOTIFY_SOCKET, INVOCATION_ID, locale) leaks in.
th_exec() {
	nsenter -t "$TH_LEADER" -a -r -w \
		env -i PATH="$TH_PATH" HOME=/root LANG=C.UTF-8 TERM=dumb SYSTEMD_COLORS=0 SYSTEMD_PAGER= "$@"
}
# th_sh SCRIPT [ARGS...]: a shell script in the test host; ARGS are its $1...
th_sh() { local s=$1; shift; th_exec sh -c "$s" sh "$@"; }
# th_journal [ARGS...]: the test host's journal
th_journal() { th_exec journalctl --no-pager "$@"; }
# th_unit_diag UNIT: what to look at when a unit in the test host misbehaves, as TAP comments
th_unit_diag() {
	{
		th_exec systemctl status --no-pager -l -n 0 "$1"
		th_journal -o short-monotonic -n 60 -u "$1"
	} 2>&1 | th_comment
}
# th_left PATH...: which of these paths in the test host still exist after up to 2 s (cgroups and scopes go a
# moment after the processes in them); prints nothing when all are gone
th_left() {
	th_sh 'for i in $(seq 1 20); do
		left=$(for p in "$@"; do [ -e "$p" ] && echo "$p"; done)
		[ -z "$left" ] && exit 0
		sleep 0.1
	done
	echo "$left"' "$@"
}
# th_leader_of PID: the PID 1 of the container whose launcher (monitor) is PID, both in the test host's view:
# the monitor's child in another PID namespace.
th_leader_of() {
	th_sh 'for c in $(cat /proc/$1/task/*/children); do
		[ "$(readlink /proc/$c/ns/pid)" != "$(readlink /proc/$1/ns/pid)" ] && echo "$c"
	done' "$1"
}

# Skips the rest unless the test host can be had: from the harness, or booted here.
th_need() {
	need_root
	[ -x "$NSPAWN" ] && [ -x "$NSNOTIFY" ] || skip_rest "build first: make"
	command -v nsenter >/dev/null || skip_rest "nsenter is missing"
	if [ -z "${TH_LEADER:-}" ]; then
		th_image || skip_rest "the test host image could not be built"
		# last, after the scenario's own cleanups (which may still need the test host)
		trap '_th_alone_exit' EXIT
		th_boot || { th_console_tail; skip_rest "the test host did not boot"; }
		th_running || echo "# the test host is $th_state"
	fi
	TH_NSPAWN=$TH_TOP/${NSPAWN#"$TOP"/} # (the build in use: it is below $TOP)
}

_th_alone_exit() {
	local rc
	[ "$_failed" = 0 ] || th_journal -b -o short-monotonic 2>&1 | tail -n 200 | th_comment
	_finish; rc=$?
	th_teardown
	exit "$rc"
}

# th_image: builds or finds the cached image; sets $TH_IMAGE, $th_image_secs, and $th_image_cold (yes/no).
th_image() {
	local start err=$T/th-image.log
	start=$(date +%s.%N)
	TH_IMAGE=$(bash "$TOP/checks/fixtures/debian-image.sh" --name=bookworm-testhost \
		--extra-packages="$TH_PACKAGES" 2>"$err" | tail -n 1)
	th_image_secs=$(_secs_since "$start")
	th_image_cold=no
	grep -q '^debian-image: built' "$err" && th_image_cold=yes
	[ -n "$TH_IMAGE" ] && [ -d "$TH_IMAGE" ] || { tail -n 20 "$err" | th_comment; return 1; }
}

# th_boot: boots the test host in the background under nsnotify (standing in for the service manager) and
# waits for READY=1 (60 s). Sets TH_* (exported) and $th_ready_secs. The host's user namespace is shared
# (--private-users=no): nested launchers idmap the host's file systems, which needs CAP_SYS_ADMIN in the initial
# user namespace.
th_boot() {
	TH_NAME=${TH_NAME:-testhost-$$} # several test hosts may run at once (one per harness)
	case $TOP in /tmp | /tmp/*) TH_TOP=/opt/nixos-nspawn ;; *) TH_TOP=$TOP ;; esac # PID 1 mounts its own /tmp
	TH_SHARED=$(mktemp -d /var/tmp/nixos-nspawn-system.XXXXXX)
	chmod 755 "$TH_SHARED"
	mkdir -p "$TH_CACHE/nix"
	# Shared libraries the launcher needs and the image lacks (make SANITIZE=1: libasan, libubsan), from the host:
	# both are Debian 12.
	# So are libnftables, which the launcher loads with dlopen for --port (ldd does not see it), and nft, with which
	# the scenarios read the rules.
	local lib libs=() nftlib extra=()
	nftlib=$(ldconfig -p | awk '/libnftables\.so\.1 / { print $NF; exit }')
	[ -n "$nftlib" ] && extra+=("$nftlib")
	[ -x /usr/sbin/nft ] && extra+=(/usr/sbin/nft)
	# (merged /usr: /lib is /usr/lib)
	for lib in $({ ldd "$NSPAWN" "${extra[@]}" | awk '$2 == "=>" && $3 ~ "^/" { print $3 }'; printf '%s\n' "${extra[@]}"; } |
		sed 's|^/lib/|/usr/lib/|' | sort -u); do
		[ -e "$TH_IMAGE$lib" ] || libs+=("--bind-ro=$lib")
	done
	rm -f "$T/th-ready"
	th_start=$(date +%s.%N)
	"$NSNOTIFY" --ready-file="$T/th-ready" --timeout=60 -- \
		"$NSPAWN" -M "$TH_NAME" -D "$TH_IMAGE" --private-users=no --private-network --console=read-only \
		--bind-ro="$TOP:$TH_TOP" --bind-ro=/nix/store --bind-ro="$TH_CACHE/nix" --bind="$TH_SHARED" \
		--bind-ro="$TOP/checks/system/testhost/multi-user.target.d:/etc/systemd/system/multi-user.target.d" \
		--bind-ro="$TOP/checks/system/testhost/systemd-networkd.service.d:/etc/systemd/system/systemd-networkd.service.d" \
		--bind-ro="$TH_IMAGE:$TH_GUEST_IMAGE" "${libs[@]}" \
		>"$T/th-console" 2>&1 &
	th_pid=$!
	wait_for 65 _th_ready_or_dead
	[ -s "$T/th-ready" ] || return 1
	read -r th_ready_secs TH_LEADER <"$T/th-ready"
	TH_NSPAWN=$TH_TOP/${NSPAWN#"$TOP"/} # (the build in use: it is below $TOP)
	export TH_NAME TH_LEADER TH_TOP TH_NSPAWN TH_SHARED TH_GUEST_IMAGE
}
_th_ready_or_dead() { [ -s "$T/th-ready" ] || ! kill -0 "$th_pid" 2>/dev/null; }
th_console_tail() { tail -n "${1:-30}" "$T/th-console" 2>/dev/null | th_comment; }

# th_running: waits (60 s) until the test host's boot is over; true when it is `running`. Sets $th_state and
# $th_running_secs (since th_boot started it).
th_running() {
	th_state=$(th_exec timeout 60 systemctl is-system-running --wait 2>&1)
	th_running_secs=$(_secs_since "$th_start")
	[ "$th_state" = running ]
}

_th_dead() { ! kill -0 "$th_pid" 2>/dev/null; }
# th_teardown: stops the test host like a service manager would: SIGTERM (it powers off), SIGKILL after 20 s.
# Sets $th_stop_rc (the launcher's status, or "killed") and $th_stop_secs. Safe to call twice.
th_teardown() {
	local launcher start
	[ -n "${th_pid:-}" ] || return 0
	start=$(date +%s.%N)
	launcher=$(pgrep -P "$th_pid" | head -n 1)
	kill -TERM "$th_pid" 2>/dev/null
	wait_for 20 _th_dead
	if kill -0 "$th_pid" 2>/dev/null; then
		[ -n "$launcher" ] && kill -KILL "$launcher" 2>/dev/null
		kill -KILL "$th_pid" 2>/dev/null
		wait "$th_pid" 2>/dev/null
		th_stop_rc=killed
	else
		wait "$th_pid" 2>/dev/null
		th_stop_rc=$?
	fi
	th_stop_secs=$(_secs_since "$start")
	th_pid=
	[ -n "${TH_SHARED:-}" ] && rm -rf --one-file-system "$TH_SHARED"
	TH_SHARED=
	return 0
}

# th_leftovers: what the stopped test host left on the host: mounts, its cgroup (the nested containers' are
# inside it), its machine lock, processes. Prints other machines' cgroups and locks that look stale as "# "
# notes: they are not ours to judge (other tests and benchmarks may be starting or stopping right now).
th_leftovers() {
	local found="" d name
	local re=" /run/nixos-nspawn/[^ ]*/$TH_NAME[/ ]"
	grep -qE "$re" /proc/self/mountinfo && found+="mounts: $(grep -E "$re" /proc/self/mountinfo)"$'\n'
	local new
	new=$(_lasting_new '^(mount /run/nixos-nspawn/staging|lock /run/nixos-nspawn/uid/)')
	[ -z "$new" ] || found+="$new"$'\n'
	[ -n "$cgroup2" ] && [ -e "$cgroup2/nixos-nspawn/$TH_NAME" ] && found+="cgroup: $cgroup2/nixos-nspawn/$TH_NAME"$'\n'
	[ -e "/run/nixos-nspawn/machines/$TH_NAME" ] && found+="lock: /run/nixos-nspawn/machines/$TH_NAME"$'\n'
	pgrep -f -- "nixos-nspawn.* -M $TH_NAME( |$)" >/dev/null && found+="processes: $(pgrep -af -- "-M $TH_NAME( |$)")"
	for d in "$cgroup2"/nixos-nspawn/*/ /run/nixos-nspawn/machines/*; do
		name=$(basename "$d")
		[ -e "$d" ] && [ "$name" != "$TH_NAME" ] && ! _lock_held "/run/nixos-nspawn/machines/$name" &&
			echo "# note: not ours, and nobody holds its lock: $d" >&2
	done
	[ -z "$found" ] || { printf '%s' "$found"; return 1; }
}
_secs_since() { awk -v s="$1" -v n="$(date +%s.%N)" 'BEGIN { printf "%.2f", n - s }'; }
# _lock_held FILE: someone holds the launcher's flock() on FILE (opened, never created: a probe leaves nothing)
_lock_held() {
	local fd rc
	exec {fd}<"$1" || return 1
	flock -n "$fd"; rc=$?
	exec {fd}<&-
	[ "$rc" != 0 ]
} 2>/dev/null

