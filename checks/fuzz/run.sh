#!/bin/bash
# Runs the libFuzzer targets (built by `make fuzzers` into $FUZZ_BUILD, default build-fuzz) and prints TAP, one
# line per fuzzer with its number of executions.
#   checks/fuzz/run.sh           every seed of checks/fuzz/corpus/NAME/, then FUZZ_CHECK_SECONDS (default 5) of
#                                mutation (make check, make check-fuzz); new inputs go to a temp dir, never into the
#                                committed seeds
#   checks/fuzz/run.sh --long    FUZZ_SECONDS (default 60) each (make fuzz); what it learns is kept in
#                                $FUZZ_BUILD/corpus/NAME/ for the next run
# A finding (crash, leak, sanitizer report, timeout) fails its line; the input is saved as
# $FUZZ_BUILD/artifacts/NAME-crash-… and the line says how to replay it.
set -u
cd "$(dirname "$0")/../.." || exit 1
FUZZ_BUILD=${FUZZ_BUILD:-build-fuzz}
long=no
[ "${1:-}" = --long ] && long=yes

fuzzers=()
for src in checks/fuzz/fuzz-*.c; do fuzzers+=("$(basename "$src" .c)"); done
if ! command -v "${FUZZ_CC:-clang}" >/dev/null; then
	echo "1..0 # SKIP clang is not installed (checks/deps.sh installs it)"
	exit 0
fi
for f in "${fuzzers[@]}"; do
	[ -x "$FUZZ_BUILD/$f" ] || { echo "Bail out! $FUZZ_BUILD/$f is not built: make fuzzers"; exit 1; }
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$FUZZ_BUILD/artifacts"
n=0 failed=0
for f in "${fuzzers[@]}"; do
	n=$((n + 1))
	seeds=checks/fuzz/corpus/$f
	if [ "$long" = yes ]; then
		secs=${FUZZ_SECONDS:-60} learned=$FUZZ_BUILD/corpus/$f
	else
		secs=${FUZZ_CHECK_SECONDS:-5} learned=$tmp/$f
	fi
	mkdir -p "$learned"
	nseeds=$(find "$seeds" -type f 2>/dev/null | wc -l)
	# -timeout: one input taking a second is a finding too (a parser must be linear in its input)
	"$FUZZ_BUILD/$f" -max_total_time="$secs" -timeout=1 -rss_limit_mb=1024 -print_final_stats=1 \
		-artifact_prefix="$FUZZ_BUILD/artifacts/$f-" "$learned" "$seeds" >"$tmp/log" 2>&1
	rc=$?
	execs=$(awk '/^stat::number_of_executed_units:/ { print $2 }' "$tmp/log")
	artifact=$(grep -o "Test unit written to [^ ]*" "$tmp/log" | tail -n 1 | sed 's/Test unit written to //')
	if [ "$rc" = 0 ] && [ "${nseeds:-0}" -gt 0 ] && [ "${execs:-0}" -gt 0 ]; then
		echo "ok $n - $f: ${execs} executions over $nseeds seeds in ${secs}s, no finding"
	else
		failed=$((failed + 1))
		echo "not ok $n - $f: exit $rc after ${execs:-0} executions ($nseeds seeds)${artifact:+; finding saved as $artifact}"
		[ -n "$artifact" ] && echo "# replay: $FUZZ_BUILD/$f $artifact"
		grep -E 'ERROR|SUMMARY|==[0-9]+==|runtime error|INFO: (seed|0 files)' "$tmp/log" | head -n 30 | sed 's/^/# /'
	fi
done
echo "1..$n"
[ "$failed" = 0 ]
