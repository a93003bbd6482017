#!/bin/bash
# nixos-nspawnctl against hostile callers: root inside a container, another container's name, a careless caller.
# Same fixture as 90-ctl.sh (the <nixpkgs/nixos> stand-in); nixos-nspawnctl supervises the launcher itself.
. "$(dirname "$0")/lib.sh"
need_root
CTL=${CTL:-$BUILD/nixos-nspawnctl}
[ -x "$CTL" ] || skip_rest "build first: no $CTL"
[ -x "$BUILD/helpers/sdnotify" ] || skip_rest "build first: no sdnotify helper"
fixture standin "$BUILD/helpers/sdnotify"
export NIX_REMOTE=local NIX_PATH="nixpkgs=$nixpkgs" NIXOS_NSPAWN_GUEST_MODULE="$guest" NIXOS_NSPAWNCTL_NO_SYSTEMD=1
export NIX_CONFIG=$'sandbox = false\nbuild-users-group =\nsubstituters ='
export NIXOS_NSPAWN="$NSPAWN"
PROFILES=/nix/var/nix/profiles/per-nspawn

name=$(mname atk)
victim=$(mname atkv)
mig=$(mname atkm)
for n in "$name" "$victim" "$victim-1-link" "$mig"; do
	at_exit "$CTL terminate $n >/dev/null 2>&1; $CTL destroy $n >/dev/null 2>&1; rm -rf /etc/nixos-nspawn/$n.* /var/log/nixos-nspawn/$n.log /run/nixos-nspawnctl/$n.* $PROFILES/$n $PROFILES/$n-* $PROFILES/.$n.new"
done
conf=/etc/nixos-nspawn/$name.conf
config() { # FILE [fixture attributes…]: a configuration for the stand-in
	local f=$1; shift
	printf '{ ... }: { fixture.hostName = "atk"; %s }\n' "$*" >"$f"
}
bad() { # DESCRIPTION WANT-REGEX COMMAND...: fails with exactly one line, which matches
	local d=$1 re=$2 out rc; shift 2
	out=$("$@" 2>&1); rc=$?
	[ "$rc" != 0 ] && [ "$(printf '%s\n' "$out" | wc -l)" = 1 ] && [[ $out =~ $re ]]
	_report $? "$d" "exit $rc: $out"
}
config "$T/gen1.nix" 'fixture.files.base = "generation one";'
config "$T/gen2.nix" 'fixture.files.base = "generation two";'
config "$T/evil.nix" 'fixture.files.base = "the attacker";'

# --- a careless caller: a FIFO as --config or --closure must not hang a build that holds the lock
mkfifo "$T/fifo"
bad "create --config FIFO is refused at once, naming it" "Cannot read --config '$T/fifo': it is a FIFO" \
	timeout 20 "$CTL" create "$name" --config "$T/fifo"
ok "and left nothing of that name" sh -c "! ls -d /etc/nixos-nspawn/$name.* $PROFILES/$name* 2>/dev/null | grep ."
bad "a directory as --config" "Cannot read --config '$T': it is a directory" \
	timeout 20 "$CTL" create "$name" --config "$T"

# --- list --json stays JSON when the first settings file cannot be read
unreadable=/etc/nixos-nspawn/0unreadable-$_mname_suffix.conf
mkdir "$unreadable" && at_exit "rm -rf $unreadable"
ok "create with a veth (-n) and a credential" "$CTL" create "$name" --config "$T/gen1.nix" -n \
	"--set-credential=token:top secret"
json=$("$CTL" list --json)
ok "list --json is valid JSON with an unreadable settings file first" jq -e . <<<"$json"
assert_eq "and lists the container" "$(jq -r ".[] | select(.name == \"$name\") | .state" <<<"$json")" "stopped"
rmdir "$unreadable"
bad "update --closure FIFO is refused at once too" "Cannot read --closure '$T/fifo': it is a FIFO" \
	timeout 20 "$CTL" update "$name" --system "$(. "$conf"; echo "$NIXOS_NSPAWN_SYSTEM")" --closure "$T/fifo"

# --- root inside names host0 to speak to the admin's terminal: show-ip escapes it
ok "start" "$CTL" start "$name"
evil=$'\e]0;pwn\a\e[2J'
ok "root inside renames host0 to an escape sequence (with a link-local address)" "$CTL" run "$name" -- sh -c \
	"ip link set host0 down && ip link set host0 name '$evil' && ip link set '$evil' up && ip -6 addr add fe80::42/64 dev '$evil'"
ips=$("$CTL" show-ip "$name" 2>&1)
assert_match "show-ip prints the name escaped" "$ips" 'fe80::42%\\x1b\]0;pwn\\x07\\x1b\[2J'
ok "and no control byte at all" sh -c '! printf %s "$1" | LC_ALL=C grep -q "[[:cntrl:]]"' - "$(tr -d '\n' <<<"$ips")"

# --- root inside writes escape sequences to its console: the supervisor's log holds them escaped
log=/var/log/nixos-nspawn/$name.log
ok "root inside writes a title and clear-screen sequence to the console" "$CTL" run "$name" -- sh -c \
	"printf '%s console-marker\\r\\n' '$evil' >/dev/console"
ok "the log gets the line, escaped" wait_for 10 grep -qF '\x1b]0;pwn\x07\x1b[2J console-marker' "$log"
ok "and has no escape byte, nor a CR, in it at all" sh -c '! LC_ALL=C grep -q "$(printf "[\033\007\r]")" "$1"' - "$log"

# --- a credential given to create is a secret: not in the world-readable settings, nor on a command line
ok "the settings do not hold it" sh -c '! grep -q "top secret" "$1"' - "$conf"
assert_eq "they are world-readable (as the NixOS module's are)" "$(stat -c %a "$conf")" "644"
cred=$(. "$conf"; printf '%s\n' $NIXOS_NSPAWN_ARGS | sed -n 's/^--load-credential=token://p')
assert_match "they name a file for it, in NAME.credentials/" "$cred" "^/etc/nixos-nspawn/$name\.credentials/token\.[0-9a-f]+\$"
assert_eq "which holds the value" "$(cat "$cred")" "top secret"
assert_eq "root's only: the file 0600, its directory 0700" "$(stat -c '%U %a' "$cred" "${cred%/*}" | xargs)" "root 600 root 700"
assert_eq "the container has the credential" "$("$CTL" run "$name" -- cat /run/host/credentials/token)" "top secret"
launcher=$(sed -n 's/^LAUNCHER=//p' "/run/nixos-nspawnctl/$name.state")
cmdline=$(tr '\0' ' ' <"/proc/$launcher/cmdline")
assert_match "the launcher's command line (world-readable) names the file" "$cmdline" " --load-credential=token:$cred "
ok "and does not hold the value" sh -c '! printf %s "$1" | grep -q "top secret"' - "$cmdline"
ok "update with a new value" "$CTL" update "$name" -n "--set-credential=token:new secret"
cred2=$(. "$conf"; printf '%s\n' $NIXOS_NSPAWN_ARGS | sed -n 's/^--load-credential=token://p')
assert_eq "the new file holds the new value, the old file is gone" "$(cat "$cred2"; ls "$cred" 2>&1 >/dev/null | wc -l)" \
	"new secret1"
assert_eq "the restarted container has the new value" "$("$CTL" run "$name" -- cat /run/host/credentials/token)" "new secret"
bad "a bad credential ID is refused, naming the ID only" "^Invalid --set-credential for '\.\.': " \
	"$CTL" update "$name" "--set-credential=..:hidden value"
bad "an ID given twice too" "^Invalid --set-credential for 'token': .*unique ID" \
	"$CTL" update "$name" "--set-credential=token:a" "--set-credential=token:b"
assert_eq "neither left a file" "$(ls "${cred2%/*}")" "${cred2##*/}"

# --- run hands its stdio to root inside: a host directory (or an O_PATH fd) must not go in
mkdir -p "$T/hostdir" && echo "host only" >"$T/hostdir/secret"
bad "run <HOSTDIR is refused, saying why" "^Cannot pass stdin to the container: it is a directory" \
	"$CTL" run "$name" -- sh -c 'cat /proc/self/fd/0/secret; touch /proc/self/fd/0/made; touch /run/ran' <"$T/hostdir"
ok "the command did not run: nothing read, nothing made" sh -c \
	"[ ! -e '$T/hostdir/made' ] && ! '$CTL' run '$name' -- test -e /run/ran </dev/null"
bad "an O_PATH stdin too (even of a regular file)" "^Cannot pass stdin to the container: it is an O_PATH" \
	python3 -c 'import os, sys; os.dup2(os.open(sys.argv[1], os.O_PATH), 0); os.execv(sys.argv[2], sys.argv[2:])' \
	"$T/hostdir/secret" "$CTL" run "$name" -- cat
bad "a closed stdout too" "^Cannot run a command in the container with stdout closed" sh -c 'exec "$@" >&-' - "$CTL" run "$name" -- true
assert_eq "a regular file, /dev/null and a pipe go in" \
	"$("$CTL" run "$name" -- cat <"$T/hostdir/secret") $("$CTL" run "$name" -- cat </dev/null)$(echo piped | "$CTL" run "$name" -- cat)" \
	"host only piped"

# --- destroy --delete-state: never through a bind mount, never along a symlink
state=/var/lib/nixos-nspawn/$name
mkdir -p "$state/sub/bind" "$T/hostbound" "$T/hostlinked"
echo keep >"$T/hostbound/keep"; echo keep >"$T/hostlinked/keep"; echo data >"$state/sub/data"
ln -s "$T/hostlinked" "$state/link"
mount --bind "$T/hostbound" "$state/sub/bind" && at_exit "umount -l $state/sub/bind 2>/dev/null; rm -rf $state"
bad "destroy --delete-state refuses while a host directory is bound inside the state" \
	"^'$state/sub/bind' is mounted inside '$state': unmount it first, nothing was deleted\.$" \
	"$CTL" destroy "$name" --delete-state
ok "nothing changed: the bound directory's file, the state's, the settings" \
	test -e "$T/hostbound/keep" -a -e "$state/sub/data" -a -e "$conf"
assert_eq "and the container still runs" "$("$CTL" state "$name")" "running"
umount "$state/sub/bind"
ok "unmounted, destroy --delete-state" "$CTL" destroy "$name" --delete-state
ok "took the state" test ! -e "$state"
ok "but not the host directory a symlink in it pointed to" test -e "$T/hostlinked/keep"
ok "and the credential files went with the settings" test ! -e "/etc/nixos-nspawn/$name.credentials"

# --- a name that was another container's generation link: A-1-link cannot take over A's generation 1
gens() { "$CTL" list-generations "$1" | awk '{ print $1, $2, $3 }'; }
ok "create a victim" "$CTL" create "$victim" --config "$T/gen1.nix"
ok "and its generation 2" "$CTL" update "$victim" --config "$T/gen2.nix"
before=$(gens "$victim")
assert_match "two generations, the second current" "$(echo $before)" \
	"^1 /nix/store/[a-z0-9]{32}-nixos-system-atk 2 /nix/store/[a-z0-9]{32}-nixos-system-atk \(current\)$"
ok "a container named like its generation 1's link is created" "$CTL" create "$victim-1-link" --config "$T/evil.nix"
evil_sys=$(. "/etc/nixos-nspawn/$victim-1-link.conf"; echo "$NIXOS_NSPAWN_SYSTEM")
assert_eq "the victim's generations did not change" "$(gens "$victim")" "$before"
ok "switch-generation 1 of the victim" "$CTL" switch-generation "$victim" 1
assert_eq "runs the victim's own generation 1, not the attacker's system" \
	"$(. "/etc/nixos-nspawn/$victim.conf"; echo "$NIXOS_NSPAWN_SYSTEM")" "$(echo "$before" | awk 'NR == 1 { print $2 }')"
ok "destroy the victim" "$CTL" destroy "$victim"
assert_eq "the other container's generation is untouched" "$(gens "$victim-1-link")" "1 $evil_sys (current)"
ok "destroy the other" "$CTL" destroy "$victim-1-link"
ok "nothing of either is left in the profiles" sh -c "! ls -d $PROFILES/$victim* $PROFILES/.$victim* 2>/dev/null | grep ."

# --- an old-layout profile (PROFILE_DIR/NAME and NAME-N-link next to it) is moved by the next command; killed at
# each step of the move, the command after finishes it, and every generation stays a GC root throughout
ok "create a container with two generations" sh -c \
	"'$CTL' create '$mig' --config '$T/gen1.nix' && '$CTL' update '$mig' --config '$T/gen2.nix'"
want=$(gens "$mig")
sys_1=$(echo "$want" | awk 'NR == 1 { print $2 }'); sys_2=$(echo "$want" | awk 'NR == 2 { print $2 }')
old_layout() { # the new layout of $mig turned back into the old one, as nixos-nspawnctl before it made it
	local d=$PROFILES/$mig l n
	for l in "$d"/system-*-link; do
		n=${l##*/system-}
		ln -s "$(readlink "$l")" "$PROFILES/$mig-${n%-link}-link"
	done
	n=$(readlink "$d/system")
	rm -rf "$d" && ln -s "$mig-${n#system-}" "$PROFILES/$mig"
}
new_layout() { # $mig's profile is a directory of its own, and nothing of the old layout or the move is left
	[ -d "$PROFILES/$mig" ] && [ ! -L "$PROFILES/$mig" ] && [ ! -e "$PROFILES/.$mig.new" ] &&
		! ls "$PROFILES/$mig"-*-link >/dev/null 2>&1
}
rooted() { # every generation is a link to its system somewhere below the profiles (a GC root)
	[ -n "$(find "$PROFILES" -type l -lname "$sys_1" | head -n 1)" ] && [ -n "$(find "$PROFILES" -type l -lname "$sys_2" | head -n 1)" ]
}
is_stopped() { [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" = T ]; }
old_layout
ok "the old layout, by hand" test -L "$PROFILES/$mig" -a -L "$PROFILES/$mig-2-link"
assert_eq "the next command moves it and sees the same generations" "$(gens "$mig" 2>/dev/null)" "$want"
ok "the new layout" new_layout
for k in 1 2 3 4; do
	old_layout
	NIXOS_NSPAWNCTL_TEST_STOP_AT=profile-migrate-$k "$CTL" list-generations "$mig" >/dev/null 2>&1 &
	pid=$!
	if wait_for 10 is_stopped "$pid"; then
		kill -KILL "$pid"; wait "$pid" 2>/dev/null
		ok "killed at step $k of the move: every generation is still a GC root" rooted
		assert_eq "the next command finishes the move: the same generations" "$(gens "$mig" 2>/dev/null)" "$want"
		ok "and the layout is the new one" new_layout
	else
		kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
		_report 1 "the move stops at step $k when asked (NIXOS_NSPAWNCTL_TEST_STOP_AT)"
	fi
done
# settings an older nixos-nspawnctl wrote with a credential's value in them: moved out before the start
sed -i 's|^NIXOS_NSPAWN_ARGS="\(.*\)"$|NIXOS_NSPAWN_ARGS="\1 --set-credential=tok:oldsecret"|' "/etc/nixos-nspawn/$mig.conf"
ok "old settings with --set-credential=tok:oldsecret, by hand" grep -q oldsecret "/etc/nixos-nspawn/$mig.conf"
ok "start" "$CTL" start "$mig"
ok "the settings do not hold the value any more" sh -c '! grep -q oldsecret "$1"' - "/etc/nixos-nspawn/$mig.conf"
assert_eq "the container has the credential all the same" "$("$CTL" run "$mig" -- cat /run/host/credentials/tok)" "oldsecret"
ok "destroy it" "$CTL" destroy "$mig"
ok "nothing of it is left in the profiles" sh -c "! ls -d $PROFILES/$mig* $PROFILES/.$mig* 2>/dev/null | grep ."
