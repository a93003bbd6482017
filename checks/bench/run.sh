#!/usr/bin/env bash
# Benchmarks nixos-nspawn side by side with systemd-nspawn, bubblewrap and unshare, and writes
# docs/benchmarks.md (tables, targets met/missed, versions, how to reproduce) and docs/benchmarks.json.
#
#   sudo make bench                     (builds, then runs this)
#   sudo bash checks/bench/run.sh       environment: BENCH_QUICK=1 fewer runs (a smoke test, not for the docs),
#                                       BENCH_KEEP=1 keep the raw results, BENCH_OUT=DIR write elsewhere than docs/
#
# Sections (see docs/benchmarks.md for what each measures and how):
#   1 start-to-exit of a /bin/true-like command    4 memory of the monitor process
#   2 store mounting, µs per path                  5 scale: 1, 10 and 50 containers at once
#   3 boot to READY=1 and stop after SIGTERM       6 veth set-up and teardown (baseline only)
#   7 the system call filter: built in vs compiled, against systemd-nspawn with and without its filters
#   8 live update (nixos-nspawnctl)            9 scale in the systemd test host: 1, 10, 50, 100, 200 containers with veth + networkd through the unit
#   + a profile of the largest cost (perf, strace)
#
# A tool that cannot run here is reported as "n/a (reason)", never silently dropped. Everything started here
# (containers, namespaces, veths, cgroups, temp files) is removed on exit, also on ^C.
set -uo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$TOP" || exit 1
BENCH=$TOP/checks/bench
NSPAWN=$TOP/build/nixos-nspawn
OUT=${BENCH_OUT:-$TOP/docs}
QUICK=${BENCH_QUICK:-0}
PY=/usr/bin/python3

log() { printf '[bench %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

[[ $(id -u) == 0 ]] || die "needs root (containers, mounts, cgroups): sudo make bench"

# ---- what is needed, installed when missing (Debian) -------------------------------------------------------

sh "$TOP/checks/deps.sh" bench >&2 || die "checks/deps.sh bench could not install what is needed"
[[ -x $PY ]] || die "python3 is needed to summarise the results and could not be installed"
command -v hyperfine >/dev/null || die "hyperfine is needed for the timing sections and could not be installed"

if [[ ! -x $NSPAWN || ! -x $TOP/build/helpers/nsnotify ]]; then
	log "building the launcher"
	make -s -C "$TOP" all >&2 || die "make failed"
fi

# ---- scratch space, helpers, cleanup -------------------------------------------------------------------------

R=$(mktemp -d /tmp/nixos-nspawn-bench.XXXXXX)
BG_PIDS=()          # readyclock / sleep processes we started
NETNS=nnbench-$$    # network namespace for the veth section
CG_NAME=nixos-nspawn-bench-$$
CG_DIRS=()          # cgroups we created for systemd-nspawn (no systemd on the host)
CG_ORIG=()          # "mount<TAB>path" we came from
VETHS_MADE=0
INOTIFY_RAISED=0    # fs.inotify.max_user_instances raised for the scale test: restore it
INOTIFY_OLD=

cleanup() {
	local p i m path
	trap - EXIT INT TERM
	# Containers: SIGTERM through readyclock (orderly poweroff), then SIGKILL for what is left.
	for p in "${BG_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for i in $(seq 1 100); do
		local alive=0
		for p in "${BG_PIDS[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
		((alive)) || break
		sleep 0.1
	done
	for p in "${BG_PIDS[@]}"; do
		pkill -KILL -P "$p" 2>/dev/null
		kill -KILL "$p" 2>/dev/null
		rm -f "/run/readyclock-$p.sock"
	done
	if ((VETHS_MADE)); then
		ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | sed 's/@.*//' | grep "^vbn$$-" |
			while read -r l; do ip link del "$l" 2>/dev/null; done
	fi
	((INOTIFY_RAISED)) && echo "$INOTIFY_OLD" >/proc/sys/fs/inotify/max_user_instances
	ip netns del "$NETNS" 2>/dev/null
	for m in 1 2 3; do ip netns del "$NETNS-$m" 2>/dev/null; done
	# Back to where we came from, then remove the cgroups made for systemd-nspawn (deepest first).
	for m in "${CG_ORIG[@]}"; do
		path=${m#*$'\t'}
		echo $$ >"${m%%$'\t'*}$path/cgroup.procs" 2>/dev/null
	done
	for m in "${CG_DIRS[@]}"; do
		for i in $(seq 1 50); do # a process that has just exited may still hold it for a moment
			[[ -d $m ]] || break
			find "$m" -depth -type d -exec rmdir {} + 2>/dev/null
			sleep 0.1
		done
		[[ -d $m ]] && log "could not remove cgroup $m: $(find "$m" -name cgroup.procs -exec cat {} + | tr '\n' ' ')"
	done
	rmdir /run/systemd/nspawn/propagate/bench-* 2>/dev/null
	if [[ ${BENCH_KEEP:-0} == 1 ]]; then log "raw results kept in $R"; else rm -rf "$R"; fi
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

na() { # KEY REASON: this measurement cannot be made here
	printf '%s\t%s\n' "$1" "$2" >>"$R/na.tsv"
	log "n/a: $1: $2"
}
now() { echo "$EPOCHREALTIME"; }

# Other work on a shared machine disturbs the timings; every tool measured runs at this same raised priority.
renice -n -10 -p $$ >/dev/null 2>&1 && printf 'nice\t-10\n' >>"$R/meta.tsv"

log "building the benchmark helpers"
cc -std=gnu17 -O2 -Wall -Wextra -Werror -Wshadow -D_GNU_SOURCE -o "$R/bindloop" "$BENCH/bindloop.c" ||
	die "cannot build bindloop"
cc -std=gnu17 -O2 -Wall -Wextra -Werror -Wshadow -D_GNU_SOURCE -o "$R/readyclock" "$BENCH/readyclock.c" -lm ||
	die "cannot build readyclock"
READYCLOCK=$R/readyclock

# Runs counts: QUICK is a smoke test of the script itself.
if ((QUICK)); then
	RUNS=3 WARM=1 BOOT_REPS=2 STRACE_REPS=1 SCALE_NS="1 3" PERF_LOOPS=3
else
	RUNS=15 WARM=3 BOOT_REPS=7 STRACE_REPS=5 SCALE_NS="1 10 50" PERF_LOOPS=15
fi

# ---- the machine and the tools -------------------------------------------------------------------------------

first_line() { "$@" 2>&1 | head -n 1; }
{
	printf 'date\t%s\n' "$(date -u +%Y-%m-%dT%H:%MZ)"
	printf 'kernel\t%s\n' "$(uname -r)"
	printf 'os\tDebian %s\n' "$(cat /etc/debian_version 2>/dev/null)"
	printf 'cpu\t%s\n' "$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
	printf 'cpus\t%s\n' "$(nproc)"
	printf 'memory\t%s MiB\n' "$(($(awk '/^MemTotal/ {print $2}' /proc/meminfo) / 1024))"
	printf 'pid1\t%s\n' "$(cat /proc/1/comm)"
	printf 'cgroups\t%s\n' "$(awk '$9 == "cgroup2" {u=u" "$5} $9 == "cgroup" {v++} END {printf "cgroup2 at%s, %d cgroup v1 hierarchies", u, v}' /proc/self/mountinfo)"
	printf 'nixos-nspawn\t%s (git %s%s)\n' "$(first_line "$NSPAWN" --version)" \
		"$(git -C "$TOP" rev-parse --short HEAD 2>/dev/null)" \
		"$(git -C "$TOP" diff --quiet HEAD 2>/dev/null || echo ', uncommitted changes')"
	printf 'binary\t%s (built %s)\n' "$NSPAWN" "$(date -u -r "$NSPAWN" +%Y-%m-%dT%H:%MZ)"
	printf 'veth_option\t%s\n' "$("$NSPAWN" --help 2>&1 | grep -ciE 'veth|network-zone|--network-bridge')"
	printf 'libs\t%s\n' "$(ldd "$NSPAWN" 2>/dev/null | awk '$1 ~ /^lib/ {print $1}' | paste -sd' ')"
	printf 'ldflags\t%s\n' "$(make -s -C "$TOP" -pn 2>/dev/null | sed -n 's/^ALL_LDFLAGS = //p' | head -n 1)"
	printf 'systemd-nspawn\t%s\n' "$(first_line systemd-nspawn --version)"
	printf 'bwrap\t%s\n' "$(first_line bwrap --version)"
	printf 'unshare\t%s\n' "$(first_line unshare --version)"
	printf 'hyperfine\t%s\n' "$(first_line hyperfine --version)"
	printf 'perf\t%s\n' "$(first_line perf --version)"
	printf 'strace\t%s\n' "$(first_line strace -V)"
	printf 'iproute2\t%s\n' "$(first_line ip -V)"
	printf 'cc\t%s\n' "$(first_line cc --version)"
	printf 'loadavg_start\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
	printf 'quick\t%s\n' "$QUICK"
} >"$R/meta.tsv"

# ---- fixtures ------------------------------------------------------------------------------------------------

log "preparing fixtures (cached after the first run)"
declare -A CLOSURE
for n in 1 100 500 1000 3000 10000; do
	out=$(bash "$TOP/checks/fixtures/nix-closures.sh" many "$n") || die "fixture 'many $n' failed"
	CLOSURE[$n]=$(sed -n 's/^closure=//p' <<<"$out")
	BUSYBOX=$(sed -n 's/^busybox=//p' <<<"$out")
done
BUSYBOX_PATH=${BUSYBOX%/bin/busybox}
IMG=$(bash "$TOP/checks/fixtures/debian-image.sh" | tail -n 1) || die "the Debian image could not be built"
bootfix=$(bash "$TOP/checks/fixtures/nix-closures.sh" boot) || die "the store-only boot fixture failed"
BOOT_CLOSURE=$(sed -n 's/^closure=//p' <<<"$bootfix")
BOOT_INIT=$(sed -n 's/^init=//p' <<<"$bootfix")
printf 'image\t%s\n' "$IMG" >>"$R/meta.tsv"
printf 'image_size\t%s\n' "$(du -sh "$IMG" 2>/dev/null | cut -f1)" >>"$R/meta.tsv"
printf 'boot_fixture_paths\t%s\n' "$(wc -l <"$BOOT_CLOSURE")" >>"$R/meta.tsv"

# Does the launcher make veths yet (it did not when this was written)? Then section 6 and the scale test measure
# it too. Without networkd on the host it only warns that the host end stays unconfigured.
VETH_OK=0
if "$NSPAWN" --help 2>&1 | grep -q -- '--network-veth'; then
	if err=$("$NSPAWN" -q -M bench-vprobe --console=pipe --network-veth --closure="${CLOSURE[1]}" -- "$BUSYBOX" true 2>&1); then
		VETH_OK=1
		printf 'veth_warning\t%s\n' "$(head -n 1 <<<"$err")" >>"$R/meta.tsv"
	else
		na "ours: --network-veth" "$(tail -n 1 <<<"$err")"
	fi
fi
printf 'veth_ok\t%s\n' "$VETH_OK" >>"$R/meta.tsv"

# systemd-nspawn without systemd as PID 1: --keep-unit and --register=no (no bus to ask for a scope or to
# register with machined), and with --keep-unit it makes payload/ and supervisor/ cgroups next to its own. So we
# give it (us) a cgroup of our own, removed at exit, rather than leave those in the root cgroup.
if [[ ! -d /run/systemd/system ]]; then
	# Read it whole first: it changes under us as we move.
	cgroup_lines=$(cat /proc/self/cgroup)
	while IFS=: read -r _ ctrl path; do
		case $ctrl in
		"") mnt=$(awk '$9 == "cgroup2" {print $5; exit}' /proc/self/mountinfo) ;;
		name=systemd) mnt=$(awk '$9 == "cgroup" && $NF ~ /name=systemd/ {print $5; exit}' /proc/self/mountinfo) ;;
		*) continue ;;
		esac
		[[ -n $mnt && -d $mnt ]] || continue
		mkdir -p "$mnt/$CG_NAME" || continue
		CG_DIRS+=("$mnt/$CG_NAME")
		CG_ORIG+=("$mnt"$'\t'"$path")
		echo $$ >"$mnt/$CG_NAME/cgroup.procs" || log "could not move into $mnt/$CG_NAME"
	done <<<"$cgroup_lines"
fi

# check NAME CMD...: runs CMD once; prints nothing and succeeds if it works, else records n/a with its error.
check() {
	local key=$1 err; shift
	if ! err=$(timeout 120 "$@" 2>&1 >/dev/null); then
		err=$(grep -v '^$' <<<"$err" | grep -v 'Attempted to remove disk file system' | tail -n 1)
		na "$key" "${err:-exited non-zero}"
		return 1
	fi
}

# hyperfine_set JSON RUNS NAME1 CMD1 NAME2 CMD2…: one hyperfine run over the commands that work here
# (HF_EXTRA: more hyperfine options).
HF_EXTRA=()
hyperfine_set() {
	local json=$1 runs=$2 args=() name cmd
	shift 2
	while (($#)); do
		name=$1 cmd=$2
		shift 2
		# shellcheck disable=SC2086 # the command is a word list on purpose
		check "$name" $cmd && args+=(-n "$name" "$cmd")
	done
	((${#args[@]})) || return 0
	hyperfine -N --style basic --warmup "$WARM" --min-runs "$runs" --max-runs $((runs * 4)) "${HF_EXTRA[@]}" \
		--export-json "$json" "${args[@]}" >>"$R/hyperfine.log" 2>&1 ||
		log "hyperfine failed, see the log: $(tail -n 3 "$R/hyperfine.log")"
}

# ---- 1. start-to-exit --------------------------------------------------------------------------------------

log "1/6 start-to-exit of /bin/true with user, mount, pid, uts, ipc and net namespaces"
OURS=("$NSPAWN" -q --console=pipe --private-network)
OURS_CMD=${OURS[*]} # for hyperfine, which splits its command strings itself

# What the dynamic loader does for one start (glibc's own count: relocations bound, cycles in ld.so before
# main()), ours and bwrap's, and the CPU time (user + sys) of one start, averaged over 50 by perf stat: with two
# shared cores the wall clock is noisy, these are not.
ld_stats() { # LABEL COMMAND...
	local label=$1 out
	shift
	out=$(LD_DEBUG=statistics "$@" 2>&1 >/dev/null) || true
	printf 'ld_relocs_%s\t%s\n' "$label" "$(sed -n 's/.*final number of relocations: *//p' <<<"$out" | head -n 1)"
	printf 'ld_cycles_%s\t%s\n' "$label" "$(sed -n 's/.*total startup time in dynamic loader: *\([0-9]*\).*/\1/p' <<<"$out" | head -n 1)"
	printf 'cpu_ms_%s\t%s\n' "$label" "$(perf stat -x, -e task-clock -r 50 "$@" 2>&1 >/dev/null |
		awk -F, '$3 == "task-clock" {print $1; exit}')"
}
{
	ld_stats ours "${OURS[@]}" -M bench-ld --closure="${CLOSURE[1]}" -- "$BUSYBOX" true
	ld_stats bwrap bwrap --unshare-all --ro-bind "$BUSYBOX_PATH" "$BUSYBOX_PATH" --proc /proc --dev /dev --tmpfs /tmp \
		"$BUSYBOX" true
} >>"$R/meta.tsv" 2>/dev/null
hyperfine_set "$R/start.json" "$RUNS" \
	"ours: closure of 1 path" "$OURS_CMD -M bench-t1 --closure=${CLOSURE[1]} -- $BUSYBOX true" \
	"ours: closure of 500 paths" "$OURS_CMD -M bench-t2 --closure=${CLOSURE[500]} -- $BUSYBOX true" \
	"ours: closure of 3000 paths" "$OURS_CMD -M bench-t3 --closure=${CLOSURE[3000]} -- $BUSYBOX true" \
	"ours: -D image -U" "$OURS_CMD -M bench-t4 -D $IMG -U -- /bin/true" \
	"systemd-nspawn --volatile=overlay -U" "systemd-nspawn -q -M bench-t5 --volatile=overlay -U --private-network --keep-unit --register=no -D $IMG /bin/true" \
	"bwrap --unshare-all: image" "bwrap --unshare-all --ro-bind $IMG / --proc /proc --dev /dev --tmpfs /tmp /bin/true" \
	"bwrap --unshare-all: closure of 1 path" "bwrap --unshare-all --ro-bind $BUSYBOX_PATH $BUSYBOX_PATH --proc /proc --dev /dev --tmpfs /tmp $BUSYBOX true" \
	"unshare (floor)" "unshare --user --map-root-user --mount --pid --fork --uts --ipc --net true"

# CPU of the whole process tree per start, by the cgroup's own accounting (checks/bench/cgcpu.c: a fresh cgroup
# and cgroup namespace a run, so our container's cgroup is counted too); `perf stat`'s per-task inheritance above
# and hyperfine's rusage both leave out part of it. The harness floor (`true`) is measured the same way.
: >"$R/cgcpu.tsv"
cc -std=gnu17 -O2 -Wall -Wextra -Werror -Wshadow -D_GNU_SOURCE -o "$R/cgcpu" "$BENCH/cgcpu.c" 2>"$R/cgcpu.err" ||
	na "cgroup CPU" "cannot build cgcpu: $(grep -m1 error "$R/cgcpu.err")"
cg_cmd() { # WHAT → the command, one word a line
	case $1 in
	floor) printf '%s\n' true ;;
	ours) printf '%s\n' "${OURS[@]}" -M bench-cg --closure="${CLOSURE[1]}" -- "$BUSYBOX" true ;;
	bwrap) printf '%s\n' bwrap --unshare-all --ro-bind "$BUSYBOX_PATH" "$BUSYBOX_PATH" --proc /proc --dev /dev --tmpfs /tmp "$BUSYBOX" true ;;
	ours-image) printf '%s\n' "${OURS[@]}" -M bench-cg -D "$IMG" -U -- /bin/true ;;
	bwrap-image) printf '%s\n' bwrap --unshare-all --ro-bind "$IMG" / --proc /proc --dev /dev --tmpfs /tmp /bin/true ;;
	nspawn) printf '%s\n' systemd-nspawn -q -M bench-cg --volatile=overlay -U --private-network --keep-unit --register=no -D "$IMG" /bin/true ;;
	esac
}
# interleaved, one run of each in turn, so that a change in the machine's load falls on all of them alike
declare -A CG_BROKEN
for ((rep = 0; rep < RUNS * 2; rep++)); do
	for what in floor ours bwrap ours-image bwrap-image nspawn; do
		[[ -x $R/cgcpu && -z ${CG_BROKEN[$what]:-} ]] || continue
		[[ $what == nspawn ]] && ((rep >= RUNS)) && continue # 0.5 s a start: fewer
		mapfile -t cmd < <(cg_cmd "$what")
		"$R/cgcpu" "$(awk '$9 == "cgroup2" {print $5; exit}' /proc/self/mountinfo)" "$what" -- "${cmd[@]}" \
			>>"$R/cgcpu.tsv" 2>>"$R/cgcpu.err" || {
			CG_BROKEN[$what]=1
			na "cgroup CPU: $what" "$(tail -n 1 "$R/cgcpu.err")"
		}
	done
done

# The same, one start at a time: back to back (above), a start finds the kernel still warm from the previous one
# (a cgroup migration, for one, is cheap right after another); a service manager starting one container does
# not. --prepare puts 0.3 s of idle before every timed run.
log "1/6 …and one start at a time (0.3 s apart)"
HF_EXTRA=(--prepare "sleep 0.3")
hyperfine_set "$R/start-spaced.json" "$RUNS" \
	"ours: closure of 1 path" "$OURS_CMD -M bench-t1 --closure=${CLOSURE[1]} -- $BUSYBOX true" \
	"ours: -D image -U" "$OURS_CMD -M bench-t4 -D $IMG -U -- /bin/true" \
	"systemd-nspawn --volatile=overlay -U" "systemd-nspawn -q -M bench-t5 --volatile=overlay -U --private-network --keep-unit --register=no -D $IMG /bin/true" \
	"bwrap --unshare-all: image" "bwrap --unshare-all --ro-bind $IMG / --proc /proc --dev /dev --tmpfs /tmp /bin/true" \
	"bwrap --unshare-all: closure of 1 path" "bwrap --unshare-all --ro-bind $BUSYBOX_PATH $BUSYBOX_PATH --proc /proc --dev /dev --tmpfs /tmp $BUSYBOX true" \
	"unshare (floor)" "unshare --user --map-root-user --mount --pid --fork --uts --ipc --net true"
HF_EXTRA=()

# What a cold start pays for putting a process into a cgroup: a migration (write to cgroup.procs) against being
# born there (clone3 CLONE_INTO_CGROUP); runs 100 ms apart, no tracer attached.
cc -std=gnu17 -O2 -Wall -Wextra -Werror -Wshadow -D_GNU_SOURCE -o "$R/cgmove" "$BENCH/cgmove.c" 2>"$R/cgmove.err" &&
	"$R/cgmove" "$(awk '$9 == "cgroup2" {print $5; exit}' /proc/self/mountinfo)" 15 100 >"$R/cgmove.txt" 2>>"$R/cgmove.err" ||
	na "cgroup move" "$(tail -n 1 "$R/cgmove.err")"

# ---- 2. store mounting ---------------------------------------------------------------------------------------

log "2/6 store mounting: 1, 100, 1000, 3000 and 10000 paths"
# The store view (spawn/view.c) is built by the first start of a closure and kept while a container of the closure
# runs. "ours: N paths" is a second container of a closure (a holder container of the same closure runs meanwhile:
# each start clones the view), the usual case and the target; "ours, first start: N paths" has no holder, so every
# run builds the view and removes it at its stop.
holders=()
for n in 1 100 1000 3000 10000; do
	"${OURS[@]}" -M "bench-h$n" --closure="${CLOSURE[$n]}" -- "$BUSYBOX" sleep 100000 </dev/null >/dev/null 2>&1 &
	holders+=($!)
	BG_PIDS+=($!)
done
for n in 1 100 1000 3000 10000; do
	# its propagation point is attached once its view is built and cloned (spawn/spawn.c)
	for i in $(seq 1 600); do mountpoint -q "/run/nixos-nspawn/propagate/bench-h$n" && break; sleep 0.05; done
done
printf 'store_views_host_mounts\t%s\n' "$(grep -c ' /run/nixos-nspawn/views/' /proc/self/mountinfo)" >>"$R/meta.tsv"
set2=()
for n in 1 100 1000 3000 10000; do
	set2+=("ours: $n paths" "$OURS_CMD -M bench-m$n --closure=${CLOSURE[$n]} -- $BUSYBOX true")
done
hyperfine_set "$R/store-ours.json" $((RUNS > 10 ? 10 : RUNS)) "${set2[@]}"
for p in "${holders[@]}"; do kill -TERM "$p" 2>/dev/null; done
for p in "${holders[@]}"; do wait "$p" 2>/dev/null; done
set2=()
for n in 1 100 1000 3000 10000; do
	set2+=("ours, first start: $n paths" "$OURS_CMD -M bench-f$n --closure=${CLOSURE[$n]} -- $BUSYBOX true")
done
hyperfine_set "$R/store-first.json" $((RUNS > 10 ? 5 : RUNS)) "${set2[@]}"

# bwrap as a second comparator: one --ro-bind per path (it caps its arguments at 9000).
set2=()
for n in 1 100 1000 3000 10000; do
	if ((n * 3 + 10 > 9000)); then
		na "bwrap: $n paths" "bwrap refuses more than 9000 arguments (3 per --ro-bind)"
		continue
	fi
	set2+=("bwrap: $n paths" "bwrap --unshare-all --proc /proc --dev /dev $(sed 's/.*/--ro-bind & &/' "${CLOSURE[$n]}" | tr '\n' ' ') $BUSYBOX true")
done
hyperfine_set "$R/store-bwrap.json" 5 "${set2[@]}"

# The plain loop: mount --bind + remount,ro per path in a private mount namespace.
for n in 1 100 1000 3000 10000; do
	"$R/bindloop" --runs=7 "${CLOSURE[$n]}" >>"$R/bindloop.txt" 2>>"$R/bindloop.err" ||
		na "bind+remount loop: $n paths" "$(tail -n 1 "$R/bindloop.err")"
done

# Our own phases, from syscall timestamps: strace stops only at the few syscalls that mark a phase
# (--seccomp-bpf), so the per-path work in between runs at full speed.
if strace -f --seccomp-bpf -e trace=exit_group -o /dev/null true 2>/dev/null; then
	for n in 1 1000 3000 10000; do
		for i in $(seq 1 "$STRACE_REPS"); do
			strace -f -ttt -T --seccomp-bpf -e signal=none \
				-e trace=execve,clone,clone3,unshare,pivot_root,exit_group,mount_setattr \
				-o "$R/phases-$n-$i.strace" "${OURS[@]}" -M "bench-p$n" --closure="${CLOSURE[$n]}" -- "$BUSYBOX" true ||
				na "phases: $n paths" "strace run failed"
		done
	done
else
	na "phases" "strace --seccomp-bpf does not work here"
fi

# ---- 3 + 4. boot to READY=1, stop, monitor memory -------------------------------------------------------------

log "3/6 boot to READY=1 and stop after SIGTERM ($BOOT_REPS each, interleaved); 4/6 monitor memory"
NSPAWN_BOOT="systemd-nspawn -q --volatile=overlay -b --private-network --keep-unit --register=no --notify-ready=yes --console=passive -D $IMG"
boot_variant() { # KEY → command line (word list)
	case $1 in
	ours) echo "$NSPAWN -M bench-b1 -D $IMG -U --private-network --console=passive" ;;
	ours-store) echo "$NSPAWN -M bench-b4 --closure=$BOOT_CLOSURE --init=$BOOT_INIT -U --private-network --console=passive" ;;
	nspawn-U) echo "$NSPAWN_BOOT -M bench-b2 -U" ;;
	nspawn) echo "$NSPAWN_BOOT -M bench-b3" ;;
	esac
}
: >"$R/boot.tsv"
declare -A BOOT_BROKEN
for rep in $(seq 1 "$BOOT_REPS"); do
	for v in ours nspawn-U nspawn ours-store; do
		[[ -n ${BOOT_BROKEN[$v]:-} ]] && continue
		smaps=()
		((rep == 1)) && smaps=(--smaps="$R/smaps-$v")
		# shellcheck disable=SC2046
		line=$("$READYCLOCK" --timeout=60 --hold=1 "${smaps[@]}" --log="$R/boot-$v.log" -- $(boot_variant "$v"))
		rc=$?
		if ((rc != 0)); then
			BOOT_BROKEN[$v]=1
			na "boot: $v" "no READY=1 or a failed stop (exit $rc): $(grep -v '^$' "$R/boot-$v.log" | tail -n 1)"
			continue
		fi
		printf '%s\t%s\t%s\n' "$v" "$rep" "$line" >>"$R/boot.tsv"
	done
done

# bwrap has no READY=1: its monitor's memory while it runs `sleep`, half a second in.
bwrap --unshare-all --die-with-parent --ro-bind "$IMG" / --proc /proc --dev /dev --tmpfs /tmp /bin/sleep 30 &
bw=$!
BG_PIDS+=("$bw")
sleep 0.5
if kill -0 "$bw" 2>/dev/null; then
	inner=$(pgrep -P "$bw" | head -n 1)
	printf 'bwrap\t%s\t%s\n' "$(awk '/^Rss:/ {r=$2} /^Pss:/ {p=$2} END {print r"\t"p}' /proc/$bw/smaps_rollup)" \
		"$( [[ -n $inner ]] && awk '/^Rss:/ {r=$2} /^Pss:/ {p=$2} END {print r"\t"p}' "/proc/$inner/smaps_rollup")" >"$R/mem-bwrap.tsv"
	[[ -n $inner ]] && pkill -KILL -P "$inner" 2>/dev/null
	kill -TERM "$bw" 2>/dev/null
else
	na "memory: bwrap" "bwrap exited early"
fi
wait "$bw" 2>/dev/null

# ---- 5. scale ------------------------------------------------------------------------------------------------

log "5/6 scale: $SCALE_NS containers booted at once (store-only boot fixture, -U; --private-network, and --network-veth if it works)"
# Every container's systemd needs a handful of inotify instances, and the kernel charges them to the owner of the
# container's user namespace — host root — against fs.inotify.max_user_instances (128 by default): on a default
# host, about 20 such containers boot at once and the rest fail ("Failed to allocate manager object: Too many
# open files"). The scale test raises the limit for its duration (restored on exit) and reports what it found.
INOTIFY_LIMIT=/proc/sys/fs/inotify/max_user_instances
INOTIFY_OLD=$(cat "$INOTIFY_LIMIT" 2>/dev/null || echo "")
printf 'inotify_max_user_instances\t%s\n' "$INOTIFY_OLD" >>"$R/meta.tsv"
if [[ -n $INOTIFY_OLD ]] && ((INOTIFY_OLD < 8192)); then
	echo 8192 >"$INOTIFY_LIMIT" && INOTIFY_RAISED=1 && log "raised fs.inotify.max_user_instances $INOTIFY_OLD → 8192 for the scale test"
fi
memavail() { awk '/^MemAvailable/ {print $2}' /proc/meminfo; }
CGROUP2=$(awk '$9 == "cgroup2" {print $5; exit}' /proc/self/mountinfo)
: >"$R/scale.tsv"
scale_nets=(private)
((VETH_OK)) && scale_nets+=(veth)
for net in "${scale_nets[@]}"; do
	netopt=--private-network
	[[ $net == veth ]] && netopt=--network-veth
	for n in $SCALE_NS; do
		sleep 1 # let the previous size's teardown finish freeing memory
		key=$net-$n
		m0=$(memavail)
		pids=()
		t0=$(now)
		for i in $(seq 1 "$n"); do
			rm -f "$R/scale-ready-$key-$i"
			"$READYCLOCK" --timeout=120 --hold-signal --ready-file="$R/scale-ready-$key-$i" --log="$R/scale-$key-$i.log" -- \
				"$NSPAWN" -M "bench-s${net:0:1}$n-$i" --closure="$BOOT_CLOSURE" --init="$BOOT_INIT" -U "$netopt" \
				--console=passive >"$R/scale-out-$key-$i" &
			pids+=($!)
			BG_PIDS+=($!)
		done
		# Until every container is ready or its launcher gone (a launcher that exits before READY=1 failed).
		deadline=$((SECONDS + 150))
		while ((SECONDS < deadline)); do
			ready=0 waiting=0
			for i in $(seq 1 "$n"); do
				if [[ -s $R/scale-ready-$key-$i ]]; then
					ready=$((ready + 1))
				elif kill -0 "${pids[i - 1]}" 2>/dev/null; then
					waiting=$((waiting + 1))
				fi
			done
			((waiting == 0)) && break
			sleep 0.02
		done
		t1=$(now)
		sleep 2 # let the containers settle after READY=1 before reading memory
		m1=$(memavail)
		# The containers' processes, by their cgroups: PSS of everything under each container's payload cgroup
		# (the leader PID comes with READY=1). A second view of memory per container, not disturbed by the page
		# cache and by other work on the machine as MemAvailable is; it leaves out kernel memory and tmpfs.
		ct_pss=0 inotify=0
		for i in $(seq 1 "$n"); do
			[[ -s $R/scale-ready-$key-$i ]] || continue
			read -r _ leader <"$R/scale-ready-$key-$i"
			cg=$(sed -n 's/^0:://p' "/proc/$leader/cgroup" 2>/dev/null)
			[[ -n $cg && -n $CGROUP2 ]] || continue
			cg=${cg%%/payload/*}
			[[ $cg == */payload ]] || cg=$cg/payload
			while read -r pid; do
				ct_pss=$((ct_pss + $(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)))
				inotify=$((inotify + $(find "/proc/$pid/fd" -lname 'anon_inode:inotify' 2>/dev/null | wc -l)))
			done < <(find "$CGROUP2$cg" -name cgroup.procs -exec cat {} + 2>/dev/null)
		done
		mon_rss=0 mon_pss=0
		for p in "${pids[@]}"; do
			mp=$(pgrep -P "$p" | head -n 1)
			[[ -n $mp ]] || continue
			read -r r ps < <(awk '/^Rss:/ {r=$2} /^Pss:/ {p=$2} END {print r, p}' "/proc/$mp/smaps_rollup")
			mon_rss=$((mon_rss + r)) mon_pss=$((mon_pss + ps))
		done
		t2=$(now)
		kill -USR1 "${pids[@]}" 2>/dev/null
		failed=0
		for p in "${pids[@]}"; do wait "$p" || failed=$((failed + 1)); done
		t3=$(now)
		left=$(find "$CGROUP2/nixos-nspawn" -maxdepth 1 -name "bench-s${net:0:1}$n-*" 2>/dev/null | wc -l)
		# (a plain veth goes with its container's network namespace, in the kernel's clean-up just after)
		for _ in $(seq 1 20); do
			links=$(ip -o link show 2>/dev/null | grep -c "ve-bench-s${net:0:1}$n-")
			((links == 0)) && break
			sleep 0.1
		done
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$ready" "$failed" \
			"$("$PY" -c "print($t1 - $t0)")" "$m0" "$m1" "$mon_rss" "$mon_pss" "$("$PY" -c "print($t3 - $t2)")" \
			"$left" "$ct_pss" "$inotify" "$net" "$links" >>"$R/scale.tsv"
		if ((ready < n)); then
			why=""
			for i in $(seq 1 "$n"); do
				[[ -s $R/scale-ready-$key-$i ]] && continue
				why="bench-s${net:0:1}$n-$i: $(grep -v '^Spawning' "$R/scale-$key-$i.log" 2>/dev/null | tail -n 1)"
				break
			done
			na "scale: $net $n" "only $ready of $n reached READY=1 ($why)"
		fi
		BG_PIDS=()
	done
done

if ((INOTIFY_RAISED)); then
	echo "$INOTIFY_OLD" >"$INOTIFY_LIMIT" && INOTIFY_RAISED=0
fi
# A burst: 40 short-lived containers started at once, 5 times (distinct names), for throughput and for
# failures that only concurrency shows.
: >"$R/burst.tsv"
for round in 1 2 3 4 5; do
	pids=()
	t0=$(now)
	for i in $(seq 1 40); do
		"${OURS[@]}" -M "bench-b$round-$i" --closure="${CLOSURE[1]}" -- "$BUSYBOX" true 2>"$R/burst-$round-$i.err" &
		pids+=($!)
	done
	failed=0
	for p in "${pids[@]}"; do wait "$p" || failed=$((failed + 1)); done
	t1=$(now)
	printf '%s\t40\t%s\t%s\t%s\n' "$round" "$failed" "$("$PY" -c "print($t1 - $t0)")" \
		"$(cat "$R"/burst-"$round"-*.err | sort | uniq -c | sort -rn | head -n 1 | sed 's/^ *//')" >>"$R/burst.tsv"
done

# Every machine name above is distinct, so "already running" can only be a spurious lock failure.
printf 'spurious_already_running\t%s of %s\n' \
	"$(grep -l 'is already running' "$R"/scale-*.log "$R"/burst-*.err 2>/dev/null | wc -l)" \
	"$(find "$R" -name 'scale-*.log' -o -name 'burst-*.err' | wc -l)" >>"$R/meta.tsv"

# ---- 6. veth --------------------------------------------------------------------------------------------------

log "6/6 veth set-up and teardown (baseline with ip; ours if it has --network-veth)"
if ip netns add "$NETNS" 2>"$R/veth.err"; then
	VETHS_MADE=1
	: >"$R/veth.tsv"
	pairs=50
	for rep in 1 2 3; do
		for i in $(seq 1 $pairs); do echo "link add vbn$$-$i type veth peer name vpn$$-$i"; done >"$R/veth-add"
		for i in $(seq 1 $pairs); do echo "link set vpn$$-$i netns $NETNS"; done >"$R/veth-move"
		for i in $(seq 1 $pairs); do echo "link del vbn$$-$i"; done >"$R/veth-del"
		t0=$(now)
		ip -batch "$R/veth-add" 2>>"$R/veth.err" || { na "veth" "$(tail -n 1 "$R/veth.err")"; break; }
		t1=$(now)
		ip -batch "$R/veth-move" 2>>"$R/veth.err"
		t2=$(now)
		ip -batch "$R/veth-del" 2>>"$R/veth.err"
		t3=$(now)
		printf 'batch\t%s\t%s\t%s\t%s\n' "$pairs" "$("$PY" -c "print($t1 - $t0)")" "$("$PY" -c "print($t2 - $t1)")" \
			"$("$PY" -c "print($t3 - $t2)")" >>"$R/veth.tsv"
	done
	# The alternative for both steps: create the pair with its peer already in the namespace (one request, no
	# move), and let the namespace's end remove both ends (the kernel batches that in cleanup_net) — timed until
	# the last host-side end is gone.
	for rep in 1 2 3; do
		ns2=$NETNS-$rep
		ip netns add "$ns2" 2>>"$R/veth.err" || break
		for i in $(seq 1 $pairs); do echo "link add vbn$$-$i type veth peer name vpn$$-$i netns $ns2"; done >"$R/veth-addns"
		t0=$(now)
		ip -batch "$R/veth-addns" 2>>"$R/veth.err" || { ip netns del "$ns2"; break; }
		t1=$(now)
		ip netns del "$ns2"
		for i in $(seq 1 2000); do
			ip -o link show 2>/dev/null | grep -q "vbn$$-" || break
			sleep 0.005
		done
		t2=$(now)
		printf 'peer-in-netns\t%s\t%s\t0\t%s\n' "$pairs" "$("$PY" -c "print($t1 - $t0)")" \
			"$("$PY" -c "print($t2 - $t1)")" >>"$R/veth.tsv"
	done
	# One pair per ip process: what a launcher that forks ip(8) would pay.
	for i in $(seq 1 10); do
		t0=$(now)
		ip link add "vbn$$-x" type veth peer name "vpn$$-x" 2>>"$R/veth.err"
		t1=$(now)
		ip link set "vpn$$-x" netns "$NETNS" 2>>"$R/veth.err"
		t2=$(now)
		ip link del "vbn$$-x" 2>>"$R/veth.err"
		t3=$(now)
		printf 'single\t1\t%s\t%s\t%s\n' "$("$PY" -c "print($t1 - $t0)")" "$("$PY" -c "print($t2 - $t1)")" \
			"$("$PY" -c "print($t3 - $t2)")" >>"$R/veth.tsv"
	done
else
	na "veth" "cannot create a network namespace: $(tail -n 1 "$R/veth.err")"
fi
if ((VETH_OK)); then
	# Ours: the same start with a veth pair instead of loopback only; the difference is what the veth costs.
	OURS_NET=("$NSPAWN" -q --console=pipe)
	hyperfine_set "$R/veth-ours.json" "$RUNS" \
		"ours: --private-network" "${OURS_NET[*]} --private-network -M bench-v1 --closure=${CLOSURE[1]} -- $BUSYBOX true" \
		"ours: --network-veth" "${OURS_NET[*]} --network-veth -M bench-v2 --closure=${CLOSURE[1]} -- $BUSYBOX true"
	HF_EXTRA=(--prepare "sleep 0.3")
	hyperfine_set "$R/veth-ours-spaced.json" "$RUNS" \
		"ours: --private-network" "${OURS_NET[*]} --private-network -M bench-v1 --closure=${CLOSURE[1]} -- $BUSYBOX true" \
		"ours: --network-veth" "${OURS_NET[*]} --network-veth -M bench-v2 --closure=${CLOSURE[1]} -- $BUSYBOX true"
	HF_EXTRA=()
	# Which netlink requests it sends, and what the kernel answers.
	strace -f -e trace=sendto,sendmsg,recvfrom,recvmsg -e signal=none -o "$R/veth-netlink.strace" \
		"${OURS_NET[@]}" --network-veth -M bench-v3 --closure="${CLOSURE[1]}" -- "$BUSYBOX" true 2>/dev/null
fi
ip netns del "$NETNS" 2>/dev/null

# ---- 7. the system call filter ---------------------------------------------------------------------------------

log "7/7 system call filter: ours built in vs compiled at start; systemd-nspawn with and without its filters"
# The launcher's own filter code, timed in-process: installing the built-in programs (every start), compiling the
# same filter with libseccomp (what a start would pay without the build-time compile; nspawn's way), and what a
# system call pays under it.
if cc -std=gnu17 -O2 -Wall -Wextra -Werror -Wshadow -D_GNU_SOURCE -iquote "$TOP/common" -iquote "$TOP/spawn" \
	-iquote "$TOP/build/gen" -o "$R/seccompcost" "$BENCH/seccompcost.c" "$TOP/spawn/seccomp.c" \
	"$TOP/spawn/seccomp-build.c" "$TOP/spawn/bpf-compact.c" "$TOP/spawn/caps.c" "$TOP"/common/*.c -lseccomp 2>"$R/seccompcost.err"; then
	"$R/seccompcost" $((QUICK ? 10 : 100)) >"$R/seccomp.tsv" 2>>"$R/seccompcost.err" ||
		na "filter: in-process costs" "$(tail -n 1 "$R/seccompcost.err")"
else
	na "filter: in-process costs" "cannot build seccompcost: $(grep -m1 error "$R/seccompcost.err")"
fi
# Whole starts. --system-call-filter=@default names a group the default has already: the same filter, compiled at
# start instead of built in. systemd-nspawn reads SYSTEMD_SECCOMP=0 as "no filters" (env(1) on both sides).
hyperfine_set "$R/seccomp-ours.json" "$RUNS" \
	"ours: filter built in" "$OURS_CMD -M bench-sc1 --closure=${CLOSURE[1]} -- $BUSYBOX true" \
	"ours: the same filter compiled at start" "$OURS_CMD -M bench-sc2 --closure=${CLOSURE[1]} --system-call-filter=@default -- $BUSYBOX true"
NSPAWN_T="systemd-nspawn -q -M bench-sc3 --volatile=overlay -U --private-network --keep-unit --register=no -D $IMG /bin/true"
hyperfine_set "$R/seccomp-nspawn.json" "$RUNS" \
	"systemd-nspawn: its filters" "env SYSTEMD_SECCOMP=1 $NSPAWN_T" \
	"systemd-nspawn: SYSTEMD_SECCOMP=0" "env SYSTEMD_SECCOMP=0 $NSPAWN_T"

# ---- 9. scale through the unit, in the systemd test host -------------------------------------------------------

SCALE_UNIT_NS="1 10 50 100 200"
((QUICK)) && SCALE_UNIT_NS="1 10"
log "9 scale in the systemd test host: $SCALE_UNIT_NS containers with a veth and networkd, through nixos-nspawn@NAME"
# It boots the test host (cached image: checks/system/), installs there, and tears it all down; one TSV line a size.
bash "$BENCH/scale-unit.sh" $SCALE_UNIT_NS >"$R/scale-unit.tsv" 2>"$R/scale-unit.err"
if ! grep -q '^ok .* the scale runs finished' "$R/scale-unit.err"; then
	na "scale-unit" "$(grep -E 'SKIP|not ok|error' "$R/scale-unit.err" | tail -n 1)"
fi

# ---- profile ------------------------------------------------------------------------------------------------

log "profile: perf over $PERF_LOOPS starts with 3000 and with 1 store path; strace -c"
profile() { # TAG N LOOPS
	local tag=$1 n=$2 loops=$3
	perf record -q -g -F 10000 -o "$R/perf-$tag.data" -- bash -c "for i in \$(seq $loops); do $OURS_CMD -M bench-f$n --closure=${CLOSURE[$n]} -- $BUSYBOX true; done" \
		>/dev/null 2>"$R/perf-$tag.err" || { na "perf: $tag" "$(tail -n 1 "$R/perf-$tag.err")"; return; }
	perf report -i "$R/perf-$tag.data" --comms nixos-nspawn,busybox --no-children --sort sym --stdio -g none \
		--percent-limit 0.7 2>/dev/null | grep '%' >"$R/perf-$tag-self.txt"
	perf report -i "$R/perf-$tag.data" --comms nixos-nspawn,busybox --children --sort sym --stdio -g none \
		2>/dev/null | grep '%' >"$R/perf-$tag-children.txt"
	perf report -i "$R/perf-$tag.data" --no-children --sort comm,dso --stdio -g none \
		2>/dev/null | grep '%' >"$R/perf-$tag-dso.txt"
}
if command -v perf >/dev/null && perf record -q -o "$R/perf-probe.data" true >/dev/null 2>&1; then
	profile 3000 3000 "$PERF_LOOPS"
	profile 1 1 $((PERF_LOOPS * 5))
else
	na "perf" "perf cannot record here: $(perf record -q -o "$R/perf-probe.data" true 2>&1 | tail -n 1)"
fi
# Where a one-off start waits: sched_switch with call chains over 10 starts 0.3 s apart; report.py sums the time
# our processes spend in uninterruptible sleep (D) by the kernel function they wait in.
offcpu() { # TAG NETOPT
	# -a: a task's switch back in is recorded in the context of the task it replaces, so all CPUs are needed.
	# (the fork events and the loop's PID: report.py counts this loop's process tree only, not every
	# nixos-nspawn on the machine)
	perf record -a -q -e sched:sched_switch -e sched:sched_process_fork -g -o "$R/offcpu-$1.data" -- bash -c \
		"echo \$\$ >'$R/offcpu-$1.root'; for i in \$(seq 10); do sleep 0.3; $NSPAWN -q --console=pipe $2 -M bench-o$1 --closure=${CLOSURE[1]} -- $BUSYBOX true; done" \
		>/dev/null 2>"$R/offcpu-$1.err" || { na "off-CPU: $1" "$(tail -n 1 "$R/offcpu-$1.err")"; return; }
	perf script -i "$R/offcpu-$1.data" 2>/dev/null >"$R/offcpu-$1.txt"
	rm -f "$R/offcpu-$1.data"
}
if command -v perf >/dev/null && perf record -q -e sched:sched_switch -o "$R/perf-probe.data" true >/dev/null 2>&1; then
	offcpu private --private-network
	((VETH_OK)) && offcpu veth --network-veth
else
	na "off-CPU" "perf cannot record sched:sched_switch here"
fi
strace -f -c -o "$R/strace-c-3000.txt" "${OURS[@]}" -M bench-c --closure="${CLOSURE[3000]}" -- "$BUSYBOX" true 2>/dev/null ||
	na "strace -c" "strace run failed"

# ---- 8. live update: nixos-nspawnctl switch against restart, and the cost of adding a store path ------------

log "8 live update: nixos-nspawnctl on the <nixpkgs/nixos> stand-in"
BENCH_CTL_TSV=$R/ctl.tsv bash "$BENCH/ctl.sh" >"$R/ctl.md" 2>"$R/ctl.err" ||
	na "ctl" "ctl.sh failed: $(tail -n 1 "$R/ctl.err")"

# ---- leftovers and the report ---------------------------------------------------------------------------------

printf 'loadavg_end\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)" >>"$R/meta.tsv"
printf 'bench_seconds\t%s\n' "$SECONDS" >>"$R/meta.tsv"
{
	grep -c 'nixos-nspawn' /proc/self/mountinfo | sed 's/^/mounts\t/'
	printf 'cgroups\t%s\n' "$(ls -d "$(awk '$9 == "cgroup2" {print $5; exit}' /proc/self/mountinfo)"/nixos-nspawn/bench-* 2>/dev/null | wc -l)"
	printf 'locks\t%s\n' "$(find /run/nixos-nspawn/machines -maxdepth 1 -name 'bench-*' 2>/dev/null | wc -l)"
	printf 'processes\t%s\n' "$(pgrep -fc 'nixos-nspawn .*-M bench-' || true)"
	printf 'links\t%s\n' "$(ip -o link show 2>/dev/null | grep -c 've-bench-')"
} >"$R/leftovers.tsv"

mkdir -p "$OUT"
"$PY" "$BENCH/report.py" "$R" "$OUT/benchmarks.md" "$OUT/benchmarks.json" || die "report.py failed"
log "wrote $OUT/benchmarks.md and $OUT/benchmarks.json"
