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
ok "create with a veth (-n)" "$CTL" create "$name" --config "$T/gen1.nix" -n
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
