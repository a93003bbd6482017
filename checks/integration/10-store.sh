#!/bin/bash
# Only the closure is visible at /nix/store, root-owned and read-only.
. "$(dirname "$0")/lib.sh"
need_root
st=$(mname st)
fixture tools

listing=$(run "$st" -- ls /nix/store | sort)
want=$(xargs -n1 basename <"$closure" | sort)
assert_eq "/nix/store holds exactly the closure" "$listing" "$want"

out=$(run "$st" -- sh -c "test -e $outsider && echo visible || echo absent")
assert_eq "a store path outside the closure is absent" "$out" "absent"
ok "the outsider does exist on the host" test -e "$outsider"

owners=$(run "$st" -- sh -c "find /nix/store/ -mindepth 1 -exec stat -c '%u:%g' {} + | sort -u")
assert_eq "store files are owned by 0:0 inside" "$owners" "0:0"

out=$(run "$st" -- sh -c "touch $tools/new 2>&1; mkdir /nix/store/extra 2>&1" | tr '\n' ' ')
assert_match "writing to a store path fails with EROFS" "$out" "Read-only file system.*Read-only file system"

out=$(run "$st" -- sh -c 'test -e /nix/var/nix/daemon-socket/socket && echo yes || echo no')
assert_eq "no nix-daemon socket inside" "$out" "no"

opts=$(run "$st" -- sh -c "grep ' $tools ' /proc/self/mountinfo | cut -d' ' -f6")
assert_match "store mounts are ro,nosuid,nodev" "$opts" "^ro,nosuid,nodev"

listing=$(run "$st" --closure="$closure" -- ls /nix/store | wc -l)
assert_eq "two closures with the same paths merge" "$listing" "$(wc -l <"$closure")"

if command -v nix-store >/dev/null; then
	listing=$(NIX_REMOTE=local "$NSPAWN" -q -M "$st" -P --store-path="$tools" -- "$busybox" ls /nix/store | sort)
	assert_eq "--store-path mounts the path's closure (asked of Nix)" "$listing" "$want"
else
	skip "--store-path mounts the path's closure" "nix-store is not installed"
fi

ok "nothing is left behind" leftovers "$st"
