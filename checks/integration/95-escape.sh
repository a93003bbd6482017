#!/bin/bash
# Root inside tries the ways out (checks/helpers/escape-probe.c): each attempt is one claim, "blocked" (or a counted
# skip when its kernel file is missing here and on the host alike).
# Then what the probe cannot judge from inside: a setuid file made through a bind, as the host sees it; a session
# keyring shared with the host, with the keyring calls allowed so that only the fresh keyring stands in the way;
# a TIOCSTI into a terminal the container shares with the host.
. "$(dirname "$0")/lib.sh"
need_root
fixture tools
PROBE=$BUILD/helpers/escape-probe
[ -x "$PROBE" ] || skip_rest "escape-probe is not built (make all)"
es1=$(mname es1) es2=$(mname es2) es3=$(mname es3) es4=$(mname es4) es5=$(mname es5)
F=2147352576 # the foreign UID range's first ID (0x7FFE0000)

mkdir -p "$T/state"
"$NSPAWN" --chown-foreign="$T/state" >/dev/null 2>&1
touch "$T/host-marker"

# The probe's lines: ATTEMPT<TAB>RESULT<TAB>blocked|ESCAPED|skipped; one TAP line each (skipped: a counted skip, its
# file is one this host's kernel does not have either).
judge() { # FILE: one claim per attempt, counted in $judged; the escape table goes to $T/table
	local attempt result verdict
	judged=0
	while IFS=$'\t' read -r attempt result verdict; do
		case $attempt in "#"*|"") continue ;; esac
		printf '%-56s %-34s %s\n' "$attempt" "$result" "$verdict" >>"$T/table"
		if [ "$verdict" = skipped ]; then
			skip "root inside: $attempt" "$result"
			continue
		fi
		judged=$((judged + 1))
		[ "$verdict" = blocked ]
		_report $? "root inside: $attempt -> $result" "verdict: $verdict"
	done <"$1"
}

# Which of the kernel files the probe tries this host lacks, asked on the host: inside, a file the host has must be
# refused (masked, read-only), and only one the host lacks too may be missing.
mapfile -t host_lacks < <("$PROBE" --missing-here)
run "$es1" --private-network --bind-ro="$PROBE:/probe" --bind="$T/state:/data" -- /probe "${host_lacks[@]}" \
	--outsider="$outsider" --store-path="$tools" --host-pid=$$ --host-marker="$T/host-marker" --bind=/data \
	>"$T/probe.out" 2>"$T/probe.err"
rc=$?
judge "$T/probe.out"
[ "$judged" -ge 30 ]
_report $? "the probe tried at least 30 ways out ($judged)" "$(cat "$T/probe.err")"
assert_eq "and exited 0 (nothing escaped)" "$rc" "0"

# A setuid-root file made through a writable bind must not be one the host would trust.
owner=$(stat -c '%u' "$T/state/probe-setuid" 2>/dev/null)
[ -n "$owner" ] && [ "$owner" != 0 ] && ! getent passwd "$owner" >/dev/null
_report $? "root inside: a setuid-root file through a bind is not owned by a host user on disk (owner $owner)" \
	"$(stat -c '%u:%g %a' "$T/state/probe-setuid" 2>&1)"
printf '%-56s %-34s %s\n' "setuid-root file through a writable bind" "host owner ${owner:-none}" \
	"$([ "$owner" = "$F" ] && echo blocked || echo ESCAPED)" >>"$T/table"

# Without a user namespace (--private-users=no) container root is host root: the filter and the capability set still hold.
run "$es2" --private-users=no --bind-ro="$PROBE:/probe" -- /probe --store-path="$tools" --outsider="$outsider" >"$T/probe-nouserns.out" 2>&1
for a in "load a kernel module (init_module)" "kexec_load a new kernel" "open_by_handle_at (shocker) on a host file system" \
	"bpf: create a map" "keyring: add a key to the session keyring" "I/O port access (iopl)" "set the clock (settimeofday)"; do
	line=$(grep -F "$a"$'\t' "$T/probe-nouserns.out")
	assert_match "--private-users=no: $a is still refused" "$line" $'\tblocked$'
done

# io_uring: refused by default (with ENOSYS, "no io_uring in this kernel"), set up with --system-call-filter=@io_uring.
# The host's answer first: where the host kernel has none, ENOSYS inside proves nothing about the filter.
host_uring=$("$PROBE" --io-uring | cut -f2)
for m in "" "--private-users=no"; do
	out=$(run "$es2" ${m:+"$m"} --bind-ro="$PROBE:/probe" -- /probe --io-uring 2>&1)
	assert_eq "root inside${m:+ ($m)}: io_uring_setup is refused by default" "$out" $'io_uring_setup\tENOSYS'
done
if [ "$host_uring" = "set up" ]; then
	out=$(run "$es2" --system-call-filter=@io_uring --bind-ro="$PROBE:/probe" -- /probe --io-uring 2>&1)
	assert_eq "--system-call-filter=@io_uring: a ring can be set up inside" "$out" $'io_uring_setup\tset up'
else
	skip "--system-call-filter=@io_uring: a ring can be set up inside" "this host's io_uring_setup: $host_uring"
fi

# Session keyring: the test's own keyring holds a key; the container may use the keyring calls here.
out=$("$PROBE" --host-keyring -- "$NSPAWN" -q -M "$es3" --console=pipe --closure="$closure" \
	--system-call-filter=@keyring --bind-ro="$PROBE:/probe" -- /probe --host-key=@HOSTKEY@ --keyring-isolation 2>&1)
host_ring=$(sed -n 's/^host_keyring\t//p' <<<"$out")
inner_ring=$(sed -n 's/^session_keyring\t//p' <<<"$out")
if [ -z "$host_ring" ]; then
	skip "the session keyring is the container's own" "no keyrings here: $out"
else
	[ -n "$inner_ring" ] && [ "$inner_ring" != "$host_ring" ] && [ "${inner_ring#-}" = "$inner_ring" ]
	_report $? "PID 1's session keyring is a new one, not the launcher's ($inner_ring vs $host_ring)" "$out"
	assert_match "the host's key cannot be read from inside by its id" "$out" $'read_host_key\t(EACCES|ENOKEY)'
	assert_match "a key added inside went to its own keyring" "$out" $'add_key\tadded'
	before=$(sed -n 's/^host_keys_before\t//p' <<<"$out") after=$(sed -n 's/^host_keys_after\t//p' <<<"$out")
	assert_eq "the launcher's session keyring gained nothing" "$after" "$before"
fi

# TIOCSTI into a terminal shared with the host (--console=pipe under a pty): would type into the host's shell.
if command -v script >/dev/null; then
	script -qec "$NSPAWN -q -M $es4 --console=pipe --closure=$closure --bind-ro=$PROBE:/probe -- /probe" /dev/null \
		2>&1 | tr -d '\r' | grep -F 'TIOCSTI on our fd 0' >"$T/tty.out"
	judge "$T/tty.out"
	[ -s "$T/tty.out" ]
	_report $? "the probe had a terminal on fd 0 to try"
else
	skip "TIOCSTI on a terminal shared with the host" "no script(1)"
fi

# A hostile image (-D): its /data and /run are absolute symlinks to host directories. What the launcher mounts or
# makes there with host privileges must stay in the image (the symlinks resolve inside it) or be refused.
# (the host's directories outside /tmp: inside, the container's own /tmp would hide where the symlinks lead)
H=$(mktemp -d /var/tmp/nixos-nspawn-escape.XXXXXX)
at_exit "rm -rf '$H'"
img=$T/image
mkdir -p "$img/etc" "$H/host-data" "$H/host-run" "$T/src"
echo secret-of-the-source >"$T/src/file"
ln -s "$H/host-data" "$img/data"
ln -s "$H/host-run" "$img/run"
out=$(run "$es5" -D "$img" --bind-ro="$T/src:/data/sub" -- true 2>&1)
rc=$?
host_entries() { find "$H/host-data" "$H/host-run" -mindepth 1 | wc -l; }
[ "$rc" != 0 ] && [ "$(host_entries)" = 0 ]
_report $? "a symlinked image whose targets it lacks: refused, nothing made on the host" "exit $rc: $out
$(find "$H/host-data" "$H/host-run")"
mkdir -p "$img$H/host-data" "$img$H/host-run"
out=$(run "$es5" -D "$img" --bind-ro="$T/src:/data/sub" -- sh -c 'cat /data/sub/file; echo x > /run/probe' 2>&1)
assert_eq "a symlinked image with its targets: the bind lands inside the image" "$out" "secret-of-the-source"
assert_eq "and nothing on the host's directories" "$(host_entries)" "0"
printf '%-56s %-34s %s\n' "symlinked image redirecting a bind and /run" "host dirs: $(host_entries) entries" \
	"$([ "$(host_entries)" = 0 ] && echo blocked || echo ESCAPED)" >>"$T/table"

for m in "$es1" "$es2" "$es3" "$es4" "$es5"; do
	ok "nothing of $m is left behind" leftovers "$m"
done

echo "# escape table (attempt, result, verdict):"
sed 's/^/#   /' "$T/table"
