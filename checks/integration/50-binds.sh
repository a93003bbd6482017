#!/bin/bash
# Bind mounts: writable ones in the foreign UID range by default, read-only on request, tmpfs mounts.
. "$(dirname "$0")/lib.sh"
need_root
bd1=$(mname bd1) bd2=$(mname bd2)
fixture tools

mkdir -p "$T/rw" "$T/ro" "$T/id"
echo data > "$T/ro/file"
F=2147352576 # the foreign UID range's first ID (0x7FFE0000)

# A writable bind is foreign by default: on disk its files belong to F.., shown as 0.. inside.
out=$(run "$bd1" --bind="$T/rw:/state" -- true 2>&1)
assert_match "a writable bind of a directory outside the foreign range: a warning that names it and the way over" \
	"$out" "'$T/rw' is owned by 0:0.*--chown-foreign='$T/rw'"
ok "--chown-foreign moves a fresh directory into the foreign range" "$NSPAWN" --chown-foreign="$T/rw"
assert_eq "the directory belongs to the foreign root" "$(stat -c %u:%g "$T/rw")" "$F:$F"
out=$(run "$bd1" --bind="$T/rw:/state" -- sh -c 'stat -c %u:%g /state; cp '"$busybox"' /state/suid;
	chmod 4755 /state/suid; echo hi > /state/made; mkdir /state/dir; chown 1000:100 /state/dir' 2>&1)
assert_eq "inside, it is root's (and no warning)" "$out" "0:0"
assert_eq "root inside makes a 4755 file through a default bind: on the host it is the foreign root's, not 0" \
	"$(stat -c '%u:%g %a' "$T/rw/suid")" "$F:$F 4755"
assert_eq "so is a plain file" "$(stat -c %u:%g "$T/rw/made")" "$F:$F"
assert_eq "container UID 1000 is F+1000 on disk" "$(stat -c %u:%g "$T/rw/dir")" "$((F + 1000)):$((F + 100))"
out=$(run "$bd1" --private-users=$((0x6F000000)) --bind="$T/rw:/state" -- stat -c %u:%g /state/made /state/dir)
assert_eq "another UID range sees the same owners: on-disk owners do not depend on the range picked" "$out" "0:0
1000:100"

# idmap: identity, the explicit option with its documented risk (root inside writes host-root files)
run "$bd1" --bind="$T/id:/state:idmap" -- sh -c 'echo hi > /state/made; mkdir /state/dir; chown 1000:100 /state/dir;
	ln -s made /state/link; cp '"$busybox"' /state/suid; chmod 4755 /state/suid'
assert_eq "idmap: a file made by root inside is owned by 0 on the host" "$(stat -c %u:%g "$T/id/made")" "0:0"
assert_eq "host root's files are owned by root inside" "$(run "$bd1" --bind="$T/id:/state:idmap" -- stat -c %u /state/made)" "0"

# moving state made with identity mapping over
chown 4000000:4000000 "$T/id/dir" 2>/dev/null; touch "$T/id/outside"; chown 4000000 "$T/id/outside"
out=$("$NSPAWN" --chown-foreign="$T/id" 2>&1)
assert_match "--chown-foreign says what it moved and what it left" "$out" "Moved 5 inodes.* 2 have IDs outside"
assert_eq "files, directories and symlinks move; IDs outside 0-65535 stay; setuid bits are kept" \
	"$(stat -c '%n %u:%g %a' "$T/id"/{made,link,suid,outside})" "$T/id/made $F:$F 644
$T/id/link $F:$F 777
$T/id/suid $F:$F 4755
$T/id/outside 4000000:$F 644"
assert_eq "inside, a default bind of it looks as before" \
	"$(run "$bd1" --bind="$T/id:/state" -- stat -c %u:%g /state/made /state/suid)" "0:0
0:0"
ok "--chown-foreign again changes nothing" sh -c "'$NSPAWN' --chown-foreign='$T/id' 2>&1 | grep -q 'Moved 0 inodes'"

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

# systemd-nspawn's (and nixpkgs') --tmpfs=PATH:OPTIONS: mode=, size=, nr_inodes= reach the mount
out=$(run "$bd1" --tmpfs=/var/cache:mode=0700,size=1M,nr_inodes=64 -- sh -c \
	'stat -c %a /var/cache; df -k /var/cache | tail -n 1; df -i /var/cache | tail -n 1')
assert_match "--tmpfs=/var/cache:mode=0700,size=1M,nr_inodes=64: the mode, a 1 MiB size, 64 inodes" \
	"$(echo $out)" "^700 tmpfs +1024 .* tmpfs +64 "
out=$(run "$bd1" --tmpfs=/big:size=1M -- sh -c 'head -c 2097152 /dev/zero >/big/f; ls -l /big/f' 2>&1)
assert_match "a file larger than size= does not fit" "$out" " 1048576 "

ok "nothing is left behind" leftovers "$bd1"

out=$(run "$bd2" --bind-ro="$T/ro:/run/data" --bind-ro="$T/ro:/tmp/data" -- sh -c 'cat /run/data/file /tmp/data/file; stat -c %a /tmp')
assert_eq "binds below /run and /tmp are not hidden by them" "$out" "data
data
1777"
assert_eq "--tmpfs=/tmp replaces our /tmp" "$(run "$bd2" --tmpfs=/tmp:0700 -- sh -c 'stat -c %a /tmp; grep -c " /tmp " /proc/self/mountinfo')" "700
1"
ok "nothing of bd2 is left behind" leftovers "$bd2"
