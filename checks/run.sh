#!/bin/sh
# Runs the tests and sums up their TAP: unit tests (C), integration tests (shell, root), then the system tests.
#   checks/run.sh [unit|integration|system|TEST-NAME...]
set -u
cd "$(dirname "$0")/.." || exit 1

what=${1:-all}
tests=""
case $what in
all) tests="$(ls build/checks/test-* 2>/dev/null) $(ls checks/integration/[0-9]*.sh) checks/system/run.sh" ;;
unit) tests=$(ls build/checks/test-* 2>/dev/null) ;;
integration) tests=$(ls checks/integration/[0-9]*.sh) ;;
system) tests=checks/system/run.sh ;;
*) tests="$*" ;;
esac

passed=0 failed=0 skipped=0 broken=""
log=$(mktemp)
for t in $tests; do
        echo "# $t"
        start=$(date +%s)
        case $t in
        *.sh) bash "$t" >"$log" 2>&1 ;;
        *) "$t" >"$log" 2>&1 ;;
        esac
        rc=$?
        cat "$log"
        p=$(grep -cE '^ok ' "$log")
        s=$(grep -cE '^ok .*# (SKIP|skip)' "$log")
        f=$(grep -E '^not ok ' "$log" | grep -cvE '# (TODO|todo)')
        passed=$((passed + p - s)) skipped=$((skipped + s)) failed=$((failed + f))
        if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
                failed=$((failed + 1))
                broken="$broken $t"
                echo "not ok - $t exited $rc without reporting a failure"
        fi
        echo "# $t: $(( $(date +%s) - start ))s"
done
rm -f "$log"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
