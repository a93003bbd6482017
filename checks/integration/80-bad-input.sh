#!/bin/bash
# Bad input: a clear error naming the bad value, a non-zero exit, and nothing left behind.
. "$(dirname "$0")/lib.sh"
need_root
bad1=$(mname bad1) bad2=$(mname bad2) bad3=$(mname bad3) bad4=$(mname bad4)
fixture tools

# rejects DESCRIPTION EXPECTED-IN-MESSAGE ARGS...
rejects() {
	local d=$1 want=$2 out rc lines left=; shift 2
	out=$("$NSPAWN" "$@" 2>&1 </dev/null); rc=$?
	lines=$(printf '%s\n' "$out" | grep -c .)
	[ "$rc" != 0 ] && [[ $out == *"$want"* ]] && [ "$lines" = 1 ] && left=$(nothing_new_left)
	_report $? "$d" "exit $rc, $lines lines: $out${left:+
left behind: $left}"
}

printf '%s\n' "relative/path" >"$T/relative"
printf '%s\n' "/usr/lib" >"$T/outside"
printf '%s/sub\n' "$tools" >"$T/nested"
printf '/nix/store/..\n' >"$T/dotdot"
cat "$closure" "$closure" >"$T/dup"
printf '/nix/store/00000000000000000000000000000000-missing\n' >"$T/missing"
printf '%s\001x\n' "$tools" >"$T/control"
printf '' >"$T/empty"
printf '%s\n\n%s\n' "$tools" "$busybox" >"$T/blank"
long=$(printf 'a%.0s' $(seq 1 65))
cmd=(--closure="$closure" -- "$busybox" true)

rejects "machine name with '_'" "'bad_name'" -M bad_name "${cmd[@]}"
rejects "machine name starting with '-'" "'-x'" --machine=-x "${cmd[@]}"
rejects "machine name of 65 characters" "'$long'" -M "$long" "${cmd[@]}"
rejects "empty machine name" "''" --machine= "${cmd[@]}"
rejects "bad hostname" "'a..b'" --hostname=a..b "${cmd[@]}"
rejects "bad --uuid" "'xyz'" --uuid=xyz "${cmd[@]}"
rejects "bad --setenv" "'NOEQUALS'" --setenv=NOEQUALS "${cmd[@]}"
rejects "--private-users=abc" "'abc'" --private-users=abc "${cmd[@]}"
rejects "--private-users base 0" "'0:65536'" --private-users=0:65536 "${cmd[@]}"
rejects "--private-users past 2^32" "'4294967290'" --private-users=4294967290 "${cmd[@]}"
rejects "--console=foo" "'foo'" --console=foo "${cmd[@]}"
rejects "--kill-signal=SIGFOO" "'SIGFOO'" --kill-signal=SIGFOO "${cmd[@]}"
rejects "--notify-ready=maybe" "'maybe'" --notify-ready=maybe "${cmd[@]}"
rejects "unknown flag" "--bogus" --bogus "${cmd[@]}"
rejects "relative bind source" "'relative'" --bind=relative "${cmd[@]}"
rejects "bind source that does not exist" "'/nonexistent-src'" --bind=/nonexistent-src:/x "${cmd[@]}"
rejects "bind with an unknown option" "'/tmp:/x:bogus'" --bind=/tmp:/x:bogus "${cmd[@]}"
rejects "bind over the store" "'/nix/store/x'" --bind=/tmp:/nix/store/x "${cmd[@]}"
rejects "bind with '..'" "'/tmp/../etc'" --bind-ro=/tmp/../etc "${cmd[@]}"
rejects "bind onto /" "'/tmp:/'" --bind=/tmp:/ "${cmd[@]}"
rejects "idmap bind without a user namespace" "'/tmp'" -U --private-users=no --bind=/tmp:/x:idmap "${cmd[@]}"
rejects "relative tmpfs" "'rel'" --tmpfs=rel "${cmd[@]}"
rejects "tmpfs with a bad mode" "'/x:999'" --tmpfs=/x:999 "${cmd[@]}"
rejects "-D that does not exist" "'/nonexistent-dir'" -D /nonexistent-dir
rejects "-D that is a file" "'$busybox'" -D "$busybox"
rejects "relative --init" "'init'" --init=init --closure="$closure"
rejects "--init and a command" "'/sbin/init'" --init=/sbin/init "${cmd[@]}"
rejects "nothing to run" "Nothing to run" --closure="$closure"
rejects "closure file that does not exist" "'$T/nope'" --closure="$T/nope" -- "$busybox" true
rejects "closure line that is relative" "'relative/path'" --closure="$T/relative" -- "$busybox" true
rejects "closure line outside the store" "'/usr/lib'" --closure="$T/outside" -- "$busybox" true
rejects "closure line nested in a store path" "'$tools/sub'" --closure="$T/nested" -- "$busybox" true
rejects "closure line '..'" "'/nix/store/..'" --closure="$T/dotdot" -- "$busybox" true
rejects "closure with a duplicate line" "twice" --closure="$T/dup" -- "$busybox" true
rejects "closure naming a missing store path" "00000000000000000000000000000000-missing" --closure="$T/missing" -- "$busybox" true
rejects "closure line with a control character" "line 1 of $T/control" --closure="$T/control" -- "$busybox" true
rejects "empty closure" "$T/empty" --closure="$T/empty" -- "$busybox" true
rejects "closure with an empty line" "line 2 of $T/blank" --closure="$T/blank" -- "$busybox" true
rejects "--store-path that is not a store path" "'/usr'" --store-path=/usr -- "$busybox" true
rejects "a command that does not exist in the container" "'/no/such/init'" -q -M "$bad1" -P --closure="$closure" -- /no/such/init
rejects "an --init that does not exist" "'/nix/store/00000000000000000000000000000000-x/init'" -q -M "$bad2" -P \
	--closure="$closure" --init=/nix/store/00000000000000000000000000000000-x/init
rejects "a bind onto a path through a file" "'/tmp'" -q -M "$bad3" -P --closure="$closure" --bind-ro="$busybox:/f" \
	--bind-ro=/tmp:/f/sub -- "$busybox" true

mkdir -p "$T/emptydir"
rejects "a read-only bind over /dev breaks PID 1's set-up, and that is what is reported (also with -n)" \
	"Failed to mount devpts on /dev/pts: Read-only file system" -q -M "$bad4" -P -n --closure="$closure" \
	--bind-ro="$T/emptydir:/dev" -- "$busybox" true
fails "no ve- link is left" ip link show "ve-$bad4"

if command -v setpriv >/dev/null; then
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$NSPAWN" "${cmd[@]}" 2>&1); rc=$?
	[ "$rc" != 0 ] && [[ $out == *"must be run as root"* ]]; _report $? "not root: says so" "exit $rc: $out"
	out=$(setpriv --inh-caps=-all --bounding-set=-sys_admin "$NSPAWN" "${cmd[@]}" 2>&1); rc=$?
	[ "$rc" != 0 ] && [[ $out == *"CAP_SYS_ADMIN"* ]]; _report $? "without CAP_SYS_ADMIN: names it" "exit $rc: $out"
	cp "$NSPAWN" "$T/suid" && chmod 4755 "$T/suid" && chmod 755 "$T"
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$T/suid" "${cmd[@]}" 2>&1); rc=$?
	[ "$rc" != 0 ] && [[ $out == *"refuses to run setuid"* ]]; _report $? "setuid: refuses" "exit $rc: $out"
else
	skip "privilege checks" "setpriv is not installed"
fi
# --- --check: a start's verdict without a start: the same one line, no privileges, no lock, nothing made
chk=$(mname chk)
for a in "--capability=NET_ADMIN" "--tmpfs=/var/cache:size=lots" "--mach=x" "--network-zone=a --network-bridge=b" \
	"--system-call-filter=@nope"; do
	# shellcheck disable=SC2086 # one option or two
	start=$("$NSPAWN" -M "$chk" "${cmd[@]:0:1}" $a -- "$busybox" true 2>&1 </dev/null)
	# shellcheck disable=SC2086
	check=$("$NSPAWN" --check -M "$chk" "${cmd[@]:0:1}" $a -- "$busybox" true 2>&1); rc=$?
	[ "$rc" = 1 ] && [ -n "$check" ] && [ "$check" = "$start" ]
	_report $? "--check $a: exit 1 and the line a start prints" "exit $rc: '$check' vs a start's '$start'"
done
out=$("$NSPAWN" --check -M "$chk" --tmpfs=/var/cache:mode=0755,size=1M -n "${cmd[@]}" 2>&1); rc=$?
assert_eq "--check of valid options: exit 0, silent" "$rc:$out" "0:"
ok "--check made nothing: no lock, cgroup, mount, link or process of that machine" leftovers "$chk"
fails "…and no lock file at all" test -e "/run/nixos-nspawn/machines/$chk"
if command -v setpriv >/dev/null; then
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$NSPAWN" --check -M "$chk" --init=/i --capability=CAP_FOO 2>&1); rc=$?
	[ "$rc" = 1 ] && [[ $out == *"'CAP_FOO' is not a capability name"* ]]
	_report $? "--check needs no privileges (as nobody: the option's verdict, not 'must be run as root')" "exit $rc: $out"
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$NSPAWN" --check -M "$chk" --init=/i -U 2>&1); rc=$?
	assert_eq "--check as nobody, valid options: exit 0, silent" "$rc:$out" "0:"
else
	skip "--check needs no privileges" "setpriv is not installed"
fi

ok "nothing is left behind at all" nothing_new_left
