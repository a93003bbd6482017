#!/bin/bash
# Credentials: /run/host/credentials, a read-only ramfs of 0400 files in a 0500 directory, the container root's.
. "$(dirname "$0")/lib.sh"
need_root
cr1=$(mname cr1)
fixture tools

umask 077
printf 'from-a-file' >"$T/secret"
out=$(run "$cr1" --set-credential=one:hunter2 --load-credential=two:"$T/secret" -- sh -c '
	echo "$CREDENTIALS_DIRECTORY"
	cat /run/host/credentials/one; echo
	cat /run/host/credentials/two; echo
	stat -c "%a %u:%g" /run/host/credentials /run/host/credentials/one
	stat -f -c %T /run/host/credentials
	touch /run/host/credentials/x 2>&1')
assert_eq "CREDENTIALS_DIRECTORY is set" "$(sed -n 1p <<<"$out")" "/run/host/credentials"
assert_eq "--set-credential's value is there" "$(sed -n 2p <<<"$out")" "hunter2"
assert_eq "--load-credential's file is read" "$(sed -n 3p <<<"$out")" "from-a-file"
assert_eq "a 0500 directory of 0400 files, the container root's" "$(sed -n 4,5p <<<"$out")" "500 0:0
400 0:0"
assert_eq "a ramfs" "$(sed -n 6p <<<"$out")" "ramfs"
assert_match "read-only" "$(sed -n 7p <<<"$out")" "Read-only file system"

out=$(run "$cr1" --set-credential=one:hunter2 -- sh -c 'cat /proc/1/environ /proc/1/cmdline' 2>&1 | tr '\0' '\n')
assert_eq "the value is in neither PID 1's environment nor its command line" "$(grep -c hunter2 <<<"$out")" "0"
out=$(run "$cr1" --set-credential=one:x -- sh -c 'ls /run/host/credentials; env | grep -c CREDENTIALS_DIRECTORY')
assert_eq "no stray credentials" "$out" "one
1"
assert_eq "without credentials there is no directory" \
	"$(run "$cr1" -- sh -c 'test -e /run/host/credentials && echo yes || echo no; env | grep -c CREDENTIALS_DIRECTORY')" "no
0"

out=$("$NSPAWN" -q -M "$cr1" -P --closure="$closure" --set-credential=bad/id:x -- true 2>&1); rc=$?
[ $rc != 0 ] && [[ $out == *"'bad/id'"* ]]; _report $? "a credential ID with '/' is refused, naming it" "$rc: $out"
out=$("$NSPAWN" -q -M "$cr1" -P --closure="$closure" --set-credential=a:secretvalue --set-credential=a:y -- true 2>&1); rc=$?
[ $rc != 0 ] && [[ $out != *secretvalue* ]]; _report $? "a duplicate ID is refused without echoing the value" "$rc: $out"
out=$("$NSPAWN" -q -M "$cr1" -P --closure="$closure" --load-credential=a:"$T/missing" -- true 2>&1); rc=$?
[ $rc != 0 ] && [[ $out == *"'$T/missing'"* ]]; _report $? "a missing credential file is named" "$rc: $out"
ok "nothing is left behind" leftovers "$cr1"
