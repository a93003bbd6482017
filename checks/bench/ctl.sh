#!/usr/bin/env bash
# nixos-nspawnctl on the <nixpkgs/nixos> stand-in (checks/fixtures/nixpkgs-standin), without systemd: the time of
# create (build + generation + settings), start (to READY=1), update --strategy switch (build + live switch),
# update --strategy restart (build + restart to READY=1) and stop. Median, min and max of N runs (default 10;
# BENCH_QUICK=1: 3). Each run builds a new system (one more store path), so Nix's own work is in the numbers.
# And the cost of adding a store path live: a switch (system built before) whose --closure also lists ADD paths
# the container does not have (checks/fixtures many-ADD), against the same switch without them.
#   sudo bash checks/bench/ctl.sh          (make bench runs it from run.sh, BENCH_CTL_TSV=FILE: the numbers for
#                                           report.py, as KEY<TAB>median<TAB>min<TAB>max lines)
set -uo pipefail
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CTL=${BENCH_CTL:-$TOP/build/nixos-nspawnctl}
N=${BENCH_CTL_RUNS:-10}
[[ ${BENCH_QUICK:-0} == 1 ]] && N=3
[[ $(id -u) == 0 ]] || { echo "ctl.sh: needs root" >&2; exit 1; }
[[ -x $CTL && -x $TOP/build/helpers/sdnotify ]] || make -s -C "$TOP" all >&2 || exit 1
ADD=3000
many=$(bash "$TOP/checks/fixtures/nix-closures.sh" many "$ADD" | sed -n 's/^closure=//p')
[[ -s $many ]] || { echo "ctl.sh: the many-$ADD fixture failed" >&2; exit 1; }
eval "$(bash "$TOP/checks/fixtures/nix-closures.sh" standin "$TOP/build/helpers/sdnotify" | sed 's/^/fx_/')"
export NIX_REMOTE=local NIX_PATH="nixpkgs=$fx_nixpkgs" NIXOS_NSPAWN_GUEST_MODULE="$fx_guest"
export NIX_CONFIG=$'sandbox = false\nbuild-users-group =\nsubstituters =' NIXOS_NSPAWNCTL_NO_SYSTEMD=1
dir=$(mktemp -d)
name=bench-ctl-$$
trap '"$CTL" destroy "$name" >/dev/null 2>&1; rm -rf "$dir"' EXIT

# (in a command substitution, so a failure is passed on as FAIL and ends the script after the loop)
ms() { local s=${EPOCHREALTIME/[.,]/}; "$@" >/dev/null 2>&1 || { echo "ctl.sh: failed: $*" >&2; echo FAIL; return; }
	echo $(((${EPOCHREALTIME/[.,]/} - s) / 1000)); }
config() { printf '{ fixture.files.run%s = "%s"; }\n' "$1" "$RANDOM$RANDOM" >"$dir/c.nix"; }
declare -A t
for ((i = 0; i < N; i++)); do
	config "$i-a"
	t[create]+="$(ms "$CTL" create "$name" --config "$dir/c.nix") "
	t[start]+="$(ms "$CTL" start "$name") "
	config "$i-b"
	t[switch]+="$(ms "$CTL" update "$name" --strategy switch) "
	config "$i-c"
	t[restart]+="$(ms "$CTL" update "$name" --strategy restart) "
	# the same two with the system built beforehand: nixos-nspawnctl's own part
	config "$i-d"
	sys=$(nix-build --no-out-link --expr '{ cfg }: (import <nixpkgs/nixos> { configuration = /. + cfg; }).system' \
		--argstr cfg "$dir/c.nix" 2>/dev/null)
	t[switch_built]+="$(ms "$CTL" update "$name" --strategy switch --system "$sys") "
	config "$i-e"
	sys=$(nix-build --no-out-link --expr '{ cfg }: (import <nixpkgs/nixos> { configuration = /. + cfg; }).system' \
		--argstr cfg "$dir/c.nix" 2>/dev/null)
	t[restart_built]+="$(ms "$CTL" update "$name" --strategy restart --system "$sys") "
	# a fresh container again (the restart): the same switch, with ADD more store paths to add
	config "$i-f"
	sys=$(nix-build --no-out-link --expr '{ cfg }: (import <nixpkgs/nixos> { configuration = /. + cfg; }).system' \
		--argstr cfg "$dir/c.nix" 2>/dev/null)
	{ nix-store -qR "$sys" && cat "$many"; } | sort -u >"$dir/many.closure"
	t[switch_add]+="$(ms "$CTL" update "$name" --strategy switch --system "$sys" --closure "$dir/many.closure") "
	t[stop]+="$(ms "$CTL" stop "$name") "
	"$CTL" destroy "$name" >/dev/null 2>&1
done

# The host's mount table across live updates: one container, then UPDATES switches (system built before), each
# replacing the previous generation's UPDATE_ADD paths of checks/fixtures many-10000 with UPDATE_ADD others (update u
# adds lines (u-1)*UPDATE_ADD+1 … u*UPDATE_ADD and drops the ones before). The host's mount count
# (/proc/self/mountinfo, our mount namespace) before the start, after it, after the first update, after the last
# and after the stop; and the container's own (PID 1's namespace) after the first update and after the last. A
# container's live updates should grow both by O(1), not by the paths they add. Other work on the machine that
# mounts moves the host's totals: the lines naming the container are ours alone.
UPDATES=10 UPDATE_ADD=500
many10k=$(bash "$TOP/checks/fixtures/nix-closures.sh" many 10000 | sed -n 's/^closure=//p')
config live-a
if [[ -s $many10k ]] && "$CTL" create "$name" --config "$dir/c.nix" >/dev/null 2>&1; then
	# all of them, and those naming the container (other work's mounts are not ours)
	mounts() { printf '%s,%s' "$(wc -l </proc/self/mountinfo)" "$(grep -c -- "$name" /proc/self/mountinfo)"; }
	inside_mounts() { "$CTL" run "$name" -- cat /proc/self/mountinfo | wc -l; }
	declare -A mnt
	mnt[before]=$(mounts)
	"$CTL" start "$name" >/dev/null 2>&1 || t[live]+="FAIL "
	mnt[started]=$(mounts)
	for ((u = 1; u <= UPDATES; u++)); do
		config "live-$u"
		sys=$(nix-build --no-out-link --expr '{ cfg }: (import <nixpkgs/nixos> { configuration = /. + cfg; }).system' \
			--argstr cfg "$dir/c.nix" 2>/dev/null)
		{ nix-store -qR "$sys" && sed -n "$(((u - 1) * UPDATE_ADD + 1)),$((u * UPDATE_ADD))p" "$many10k"; } |
			sort -u >"$dir/live.closure"
		t[live]+="$(ms "$CTL" update "$name" --strategy switch --system "$sys" --closure "$dir/live.closure") "
		if ((u == 1)); then mnt[first]=$(mounts) inside_first=$(inside_mounts); fi
	done
	mnt[updated]=$(mounts) inside_updated=$(inside_mounts)
	"$CTL" stop "$name" >/dev/null 2>&1
	"$CTL" destroy "$name" >/dev/null 2>&1
	mnt[stopped]=$(mounts)
	printf 'live_updates\t%d\nlive_update_add\t%d\n' "$UPDATES" "$UPDATE_ADD" >>"$dir/live.tsv"
	printf 'inside_mounts_first\t%s\ninside_mounts_updated\t%s\n' "$inside_first" "$inside_updated" >>"$dir/live.tsv"
	for k in before started first updated stopped; do
		printf 'mounts_%s\t%s\nmounts_named_%s\t%s\n' "$k" "${mnt[$k]%,*}" "$k" "${mnt[$k]#*,}" >>"$dir/live.tsv"
	done
else
	echo "ctl.sh: the live-update mount count could not be measured (fixture or create failed)" >&2
fi
[[ "${t[*]}" == *FAIL* ]] && { echo "ctl.sh: a step failed, no numbers" >&2; exit 1; }
printf '| nixos-nspawnctl (stand-in, no systemd, %d runs) | median ms | min | max |\n|---|---|---|---|\n' "$N"
: >"${BENCH_CTL_TSV:-/dev/null}"
printf 'runs\t%d\nadd_paths\t%d\n' "$N" "$ADD" >>"${BENCH_CTL_TSV:-/dev/null}"
[[ -s $dir/live.tsv ]] && cat "$dir/live.tsv" >>"${BENCH_CTL_TSV:-/dev/null}"
for k in create start switch restart switch_built restart_built switch_add live stop; do
	[[ -n ${t[$k]:-} ]] || continue
	sort -n <<<"$(tr ' ' '\n' <<<"${t[$k]}" | grep .)" | awk -v k="$k" -v add="$ADD" -v tsv="${BENCH_CTL_TSV:-/dev/null}" '{ v[NR] = $1 } END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		label["switch"] = "update --strategy switch (with the build)"
		label["restart"] = "update --strategy restart (with the build)"
		label["switch_built"] = "update --strategy switch --system (built before)"
		label["restart_built"] = "update --strategy restart --system (built before)"
		label["start"] = "start (to READY=1)"
		label["create"] = "create (with the build)"
		label["switch_add"] = "update --strategy switch --system, adding " add " more store paths"
		label["live"] = "update --strategy switch --system, each of 10 replacing 500 store paths with 500 others"
		printf "| %s | %d | %d | %d |\n", k in label ? label[k] : k, m, v[1], v[NR]
		printf "%s\t%s\t%d\t%d\n", k, m, v[1], v[NR] >>tsv }'
done
