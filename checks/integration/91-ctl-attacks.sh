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
for n in "$name" "$name-1-link" "$name-2-link"; do
	at_exit "$CTL terminate $n >/dev/null 2>&1; $CTL destroy $n >/dev/null 2>&1; rm -rf /etc/nixos-nspawn/$n.* /var/log/nixos-nspawn/$n.log /run/nixos-nspawnctl/$n.* $PROFILES/$n $PROFILES/$n-*"
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
