#!/bin/bash
# Runs the tests and sums up their TAP, truthfully:
#   checks/run.sh [PART|FILE]...      PART: unit build integration system nixos fuzz (default: all, in that order)
# BUILD (default build) is the build directory whose binaries are tested (make SANITIZE=1 passes build-sanitize).
#
# Each test file (a unit test binary or a shell script) prints TAP. A file counts as failed, with the reason,
# when it reports a failure, exits non-zero, prints no plan, or runs fewer or more tests than its plan says.
# Every skip is counted and listed at the end with its reason; a whole file that cannot run prints
# "1..0 # SKIP reason". A part that must run here (unit, integration, system) and ran no test at all is a failure
# saying why (no build, not root, ...); so is a run that ran no test. The last line is
# "N passed, N failed, N skipped", and the exit status is non-zero on any failure.
set -u
cd "$(dirname "$0")/.." || exit 1
TOP=$PWD
export BUILD=${BUILD:-build}

all_parts="unit build integration system nixos fuzz"
# (build: the README commands' own build on a machine that lacks the packages, checks/build/)
# Parts whose tools may be missing on a machine (clang, nixos-eval) may be skipped as a whole; the others may not.
optional_parts=" nixos fuzz "

passed=0 failed=0 skipped=0 todo=0
problems=() skips=() parts=()
out=$(mktemp)
trap 'rm -f "$out"' EXIT

# A problem that is not one TAP line of a test: counted as one failure, and listed again at the end.
problem() {
	echo "not ok - $1"
	problems+=("$1")
	failed=$((failed + 1))
}

# run_file PART FILE [COMMAND...]: runs one test file (or COMMAND for it), shows and counts its TAP.
# Leaves the number of tests it ran (passed + failed, skips not counted) in $ran.
run_file() {
	local part=$1 file=$2 rc start line plan="" n=0 p=0 f=0 s=0 t=0 bail=""
	shift 2
	[ $# -gt 0 ] || set -- "$file"
	echo "# $file"
	start=$SECONDS
	case $1 in
	*.sh) bash "$@" >"$out" 2>&1 </dev/null ;;
	*) "$@" >"$out" 2>&1 </dev/null ;;
	esac
	rc=$?
	cat "$out"
	local re_result='^(not )?ok([[:space:]]|$)' re_plan='^1\.\.([0-9]+)(.*)$' \
		re_skip='#[[:space:]]*[Ss][Kk][Ii][Pp][^[:space:]]*[[:space:]]*(.*)$' re_todo='#[[:space:]]*[Tt][Oo][Dd][Oo]([^[:alnum:]]|$)'
	while IFS= read -r line || [ -n "$line" ]; do
		if [[ $line =~ $re_result ]]; then
			n=$((n + 1))
			if [[ $line == "not ok"* ]]; then
				if [[ $line =~ $re_todo ]]; then t=$((t + 1)); else f=$((f + 1)); fi
			elif [[ $line =~ $re_skip ]]; then
				s=$((s + 1))
				skips+=("$file: ${line#ok } ")
			else
				p=$((p + 1))
			fi
		elif [[ $line =~ $re_plan ]]; then
			if [ -n "$plan" ]; then
				bail="two plans"
			fi
			plan=${BASH_REMATCH[1]}
			if [ "$plan" = 0 ]; then # the whole file was skipped: one counted skip, with its reason
				local why="no reason given"
				[[ ${BASH_REMATCH[2]} =~ $re_skip ]] && why=${BASH_REMATCH[1]:-$why}
				s=$((s + 1))
				skips+=("$file: $why")
			fi
		elif [[ $line == "Bail out!"* ]]; then
			bail=$line
		fi
	done <"$out"
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s)) todo=$((todo + t))
	ran=$((p + f))
	if [ -n "$bail" ]; then
		problem "$file: $bail"
	elif [ -z "$plan" ]; then
		problem "$file printed no plan (1..N): it stopped early (exit $rc) after $n test(s)"
	elif [ "$plan" != "$n" ]; then
		problem "$file planned $plan test(s) but ran $n (exit $rc)"
	elif [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		problem "$file exited $rc without reporting a failure"
	fi
	echo "# $file: $((SECONDS - start))s"
}

# run_part PART: every file of the part; a part that must run and ran nothing is a failure.
run_part() {
	local part=$1 files=() f part_ran=0 ran before_skips=${#skips[@]} start=$SECONDS
	local p0=$passed f0=$failed s0=$skipped
	echo "# --- $part ---"
	case $part in
	unit)
		for f in "$BUILD"/checks/test-*; do [ -x "$f" ] && files+=("$f"); done
		[ ${#files[@]} -gt 0 ] || { problem "unit: no test binaries in $BUILD/checks: build them first (make check-unit)"; return; }
		;;
	build) files=(checks/build/[0-9]*.sh) ;;
	integration) files=(checks/integration/[0-9]*.sh) ;;
	system) files=(checks/system/run.sh) ;;
	nixos)
		if [ ! -e checks/nixos/run.sh ]; then
			echo "1..0 # SKIP checks/nixos/run.sh does not exist yet"
			skipped=$((skipped + 1)) skips+=("nixos: checks/nixos/run.sh does not exist yet")
			return
		fi
		files=(checks/nixos/run.sh)
		;;
	fuzz) files=(checks/fuzz/run.sh) ;;
	*) problem "unknown part or file: $part"; return ;;
	esac
	for f in "${files[@]}"; do
		run_file "$part" "$f"
		part_ran=$((part_ran + ran))
	done
	if [ "$part_ran" = 0 ] && [[ $optional_parts != *" $part "* ]]; then
		local why
		why=$(printf '%s\n' "${skips[@]:before_skips}" | sed 's/^[^:]*: //' | sort -u | paste -sd ';' | sed 's/;/; /g')
		problem "$part ran no test at all${why:+ (every file skipped: $why)}"
	fi
	parts+=("$part: $((passed - p0)) passed, $((failed - f0)) failed, $((skipped - s0)) skipped in $((SECONDS - start))s")
}

[ $# -gt 0 ] || set -- $all_parts
required=no # a required part or a test file was asked for: then a run with no test at all is a failure
for what in "$@"; do
	[[ $optional_parts == *" $what "* ]] || required=yes
	case " $all_parts " in
	*" $what "*) run_part "$what" ;;
	*)
		if [ -e "$what" ]; then
			run_file "" "$what"
		else
			problem "no such part or test file: $what"
		fi
		;;
	esac
done

if [ $((passed + failed)) = 0 ] && [ ${#problems[@]} = 0 ] && [ "$required" = yes ]; then
	problem "no test ran at all"
fi
if [ ${#parts[@]} -gt 0 ]; then
	echo "# parts:"
	printf '#   %s\n' "${parts[@]}"
fi
if [ ${#skips[@]} -gt 0 ]; then
	echo "# skipped, with reasons:"
	printf '#   %s\n' "${skips[@]}"
fi
[ "$todo" = 0 ] || echo "# $todo known failure(s) marked TODO (not counted as failures)"
if [ ${#problems[@]} -gt 0 ]; then
	echo "# failed outside a test's own TAP lines:"
	printf '#   %s\n' "${problems[@]}"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
