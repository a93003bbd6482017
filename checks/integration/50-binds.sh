#!/bin/bash
# Bind mounts: idmapped by default, read-only on request, tmpfs mounts.
. "$(dirname "$0")/lib.sh"
need_root
bd1=$(mname bd1) bd2=$(mname bd2)
fixture tools

mkdir -p "$T/rw" "$T/ro"
echo data > "$T/ro/file"
run "$bd1" --bind="$T/rw:/state" -- sh -c 'echo hi > /state/made; mkdir /state/dir; stat -c %u:%g /state'
assert_eq "rw idmapped bind: a file made by root inside is owned by 0 on the host" "$(stat -c %u:%g "$T/rw/made")" "0:0"
assert_eq "and so is a directory" "$(stat -c %u:%g "$T/rw/dir")" "0:0"
assert_eq "host root's files are owned by root inside" "$(run "$bd1" --bind="$T/rw:/state" -- stat -c %u /state/made)" "0"

out=$(run "$bd1" --bind-ro="$T/ro:/data" -- sh -c 'cat /data/file; { echo x > /data/file; } 2>&1; touch /data/new 2>&1')
assert_match "ro bind: readable" "$out" "^data"
assert_match "ro bind: writes fail" "$out" "Read-only file system.*Read-only file system"

out=$(run "$bd1" --bind="$T/rw:/state:noidmap" -- stat -c %u /state/made)
assert_eq "noidmap: host root stays unmapped (nobody) inside" "$out" "65534"

out=$(run "$bd1" --bind-ro="$T/ro/file:/etc/file" -- cat /etc/file)
assert_eq "a file can be bound, with missing parents made" "$out" "data"

out=$(run "$bd1" --tmpfs=/scratch:1777 -- sh -c 'stat -f -c %T /scratch; stat -c %a /scratch')
assert_eq "--tmpfs mounts a tmpfs with the given mode" "$out" "tmpfs
1777"

ok "nothing is left behind" leftovers "$bd1"

out=$(run "$bd2" --bind-ro="$T/ro:/run/data" --bind-ro="$T/ro:/tmp/data" -- sh -c 'cat /run/data/file /tmp/data/file; stat -c %a /tmp')
assert_eq "binds below /run and /tmp are not hidden by them" "$out" "data
data
1777"
assert_eq "--tmpfs=/tmp replaces our /tmp" "$(run "$bd2" --tmpfs=/tmp:0700 -- sh -c 'stat -c %a /tmp; grep -c " /tmp " /proc/self/mountinfo')" "700
1"
ok "nothing of bd2 is left behind" leftovers "$bd2"
