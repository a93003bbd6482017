#!/usr/bin/env bash
# CPU time of a command's whole process tree, as the kernel's cgroup accounting has it (the ground truth that
# rusage and perf's per-task inheritance can both miss: a process reaped by one that is not the measured one's
# descendant is not in RUSAGE_CHILDREN, a counter inherited by a task still running when the measured one exits is
# not read by perf stat). Every run gets a fresh cgroup and a cgroup namespace rooted at it with its own cgroup2
# mount, so a launcher that puts its container in <cgroup2 mount>/nixos-nspawn/NAME puts it under that fresh
# cgroup too; the cgroup's cpu.stat, read after the run, holds every process of it, reaped or not, and the
# cgroups removed under it. The harness itself (bash, unshare, umount, mount) is measured the same way with
# `true` as the command; report.py subtracts its median.
#
#   checks/bench/cgcpu.sh RUNS LABEL -- CMD...     one line a run on stdout: LABEL usage_usec user_usec system_usec
set -uo pipefail
runs=$1 label=$2
shift 3
mnt=$(awk '$9 == "cgroup2" {print $5; exit}' /proc/self/mountinfo)
[[ -n $mnt ]] || { echo "cgcpu.sh: no cgroup2 mount" >&2; exit 1; }
base=$mnt/nixos-nspawn-cgcpu-$$
err=$(mktemp)
mkdir "$base" || exit 1
trap 'find "$base" -depth -type d -exec rmdir {} + 2>/dev/null; rm -f "$err"' EXIT
for ((i = 0; i < runs; i++)); do
	cg=$base/r$i
	mkdir "$cg" || exit 1
	# shellcheck disable=SC2016 # expanded by the inner shells
	bash -c 'echo $$ >"$1/cgroup.procs" && exec unshare --cgroup --mount --propagation private sh -c '\''
		umount -l "$0" && mount -t cgroup2 cgroup2 "$0" && exec "$@"'\'' "$2" "${@:3}"' \
		_ "$cg" "$mnt" "$@" >/dev/null 2>"$err" || { echo "cgcpu.sh: $label failed: $(tail -n 1 "$err")" >&2; exit 1; }
	# the last exiting processes' time reaches the cgroup with their exit; wait until nothing is left in it
	for _ in $(seq 1 100); do
		grep -q 'populated 0' "$cg/cgroup.events" && break
		sleep 0.01
	done
	awk -v l="$label" '$1 == "usage_usec" {u=$2} $1 == "user_usec" {us=$2} $1 == "system_usec" {s=$2}
		END {printf "%s\t%s\t%s\t%s\n", l, u, us, s}' "$cg/cpu.stat"
	find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null
done
