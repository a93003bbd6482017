#!/bin/bash
# The container's journal on the host (--link-journal, systemd-nspawn's modes) and its machine ID: the same at every
# start of a name, a keyed hash of the host's machine-id, the dashed UUID in /run/host/container-uuid.
. "$(dirname "$0")/lib.sh"
need_root
command -v unshare >/dev/null || skip_rest "unshare (util-linux) is missing"
lj=$(mname lj) lj2=$(mname lj2)
fixture tools
F=2147352576 # the foreign UID range's first ID (0x7FFE0000)

# jrun VARLOG NAME ARGS... -- COMMAND: a container whose host has the test's directory VARLOG as /var/log (and, when
# $T/mid exists, that as /etc/machine-id), in a mount namespace of its own: the real host's journal is never touched.
jrun() {
	local varlog=$1 name=$2; shift 2
	unshare -m --propagation private sh -c '
		mount --bind "$1" /var/log || exit 99
		if [ -e "$2" ]; then mount --bind "$2" /etc/machine-id || exit 99; fi
		shift 2; exec "$@"' sh "$varlog" "$T/mid" \
		"$NSPAWN" -q -M "$name" --console=pipe --closure="$closure" --setenv=PATH="$tools/bin" "$@"
}
# hex ID: the 32-digit form of a dashed UUID
hex() { tr -d - <<<"$1"; }

# --- the machine ID ---
mkdir -p "$T/v0"
u1=$(jrun "$T/v0" "$lj" -- cat /run/host/container-uuid)
u2=$(jrun "$T/v0" "$lj" -- sh -c 'echo $container_uuid')
assert_match "the machine ID is a dashed UUID" "$u1" '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'
assert_eq "…the same at the next start of the name (and in container_uuid=)" "$u2" "$u1"
assert_match "another name has another" "$(jrun "$T/v0" "$lj2" -- cat /run/host/container-uuid)" "^[0-9a-f-]{36}$"
[ "$(jrun "$T/v0" "$lj2" -- cat /run/host/container-uuid)" != "$u1" ]; _report $? "…different from the first name's"
echo 0123456789abcdef0123456789abcdef >"$T/mid"
u3=$(jrun "$T/v0" "$lj" -- cat /run/host/container-uuid)
rm -f "$T/mid"
assert_match "another host machine-id gives the same name another ID (keyed by it)" "$u3" "^[0-9a-f-]{36}$"
[ "$u3" != "$u1" ]; _report $? "…not the first one" "both: $u1"
assert_eq "--uuid still wins" "$(jrun "$T/v0" "$lj" --uuid=00112233445566778899aabbccddeeff -- cat /run/host/container-uuid)" \
	"00112233-4455-6677-8899-aabbccddeeff"
mkdir -p "$T/img/etc"
echo 00112233445566778899aabbccddeeff >"$T/img/etc/machine-id"
assert_eq "an image (-D) with its own /etc/machine-id: that ID (systemd inside uses it, so its journal is named by it)" \
	"$(jrun "$T/v0" "$lj" -D "$T/img" -- cat /run/host/container-uuid)" "00112233-4455-6677-8899-aabbccddeeff"
ln -sf /etc/machine-id "$T/img/etc/machine-id"
u4=$(jrun "$T/v0" "$lj" -D "$T/img" -- cat /run/host/container-uuid)
assert_eq "…read inside the image: a symlink to /etc/machine-id does not reach the host's (the name's ID instead)" "$u4" "$u1"
id=$(hex "$u1")

# --- host: the host's /var/log/journal/ID, made and bound in, in the foreign range ---
mkdir -p "$T/v1/journal"
out=$(jrun "$T/v1" "$lj" --link-journal=host -- sh -c 'echo first >> /var/log/journal/'"$id"'/lines; stat -c "%u:%g" /var/log/journal/'"$id"'; grep " /var/log/journal/'"$id"' " /proc/self/mountinfo | cut -d" " -f6' 2>&1)
assert_eq "host: the directory is root's inside, a writable bind" "$out" "0:0
rw,nosuid,relatime,idmapped"
assert_eq "…on the host /var/log/journal/ID belongs to the foreign range (0755)" "$(stat -c '%u:%g %a' "$T/v1/journal/$id")" "$F:$F 755"
assert_eq "…and so does what root inside wrote there" "$(stat -c '%u:%g' "$T/v1/journal/$id/lines")" "$F:$F"
jrun "$T/v1" "$lj" --link-journal=try-host -- sh -c 'echo second >> /var/log/journal/'"$id"'/lines'
assert_eq "a restart (try-host) appends to the same directory" "$(cat "$T/v1/journal/$id/lines")" "first
second"
assert_eq "auto (the default) binds it since it exists" \
	"$(jrun "$T/v1" "$lj" -- cat /var/log/journal/"$id"/lines)" "first
second"
ok "no: not bound although it exists" jrun "$T/v1" "$lj" --link-journal=no -- sh -c '! test -e /var/log/journal'
ok "guest: not bound either (the journal stays in the container)" \
	jrun "$T/v1" "$lj" --link-journal=guest -- sh -c '! test -e /var/log/journal' 
assert_eq "the other name's directory is its own (none made by auto)" "$(ls "$T/v1/journal")" "$id"

# --- without a persistent journal on the host ---
mkdir -p "$T/v2"
out=$(jrun "$T/v2" "$lj" --link-journal=host -- true 2>&1); rc=$?
assert_eq "host on a host without /var/log/journal: refused" "$rc" "1"
assert_match "…naming the directory it could not make" "$out" "Failed to create '/var/log/journal/$id' for --link-journal=host: No such file"
assert_eq "…which makes nothing (no parents)" "$(ls -A "$T/v2")" ""
ok "try-host there: it starts, nothing is linked" jrun "$T/v2" "$lj" --link-journal=try-host -- sh -c '! test -e /var/log/journal'
ok "auto there: the same" jrun "$T/v2" "$lj" -- sh -c '! test -e /var/log/journal'
assert_eq "…and nothing is made on the host" "$(ls -A "$T/v2")" ""

# --- where the journal directory cannot be idmapped (overlayfs; NFS, 9p, old ZFS alike) ---
mkdir -p "$T/ov/lower/journal" "$T/ov/upper" "$T/ov/work" "$T/ov/mnt"
if mount -t overlay overlay -o "lowerdir=$T/ov/lower,upperdir=$T/ov/upper,workdir=$T/ov/work" "$T/ov/mnt" 2>/dev/null; then
	at_exit umount -l "$T/ov/mnt"
	out=$(jrun "$T/ov/mnt" "$lj" --link-journal=host -- true 2>&1); rc=$?
	assert_match "host where /var/log/journal cannot be idmapped: refused, naming it and its file system" "$rc $out" \
		"^1 .*Cannot link the journal: '/var/log/journal' is on a file system that cannot be idmapped \(overlay\)"
	out=$(jrun "$T/ov/mnt" "$lj" --link-journal=try-host -- sh -c '! test -e /var/log/journal && echo unlinked' 2>&1)
	assert_match "try-host there: a warning, and the container starts unlinked (a writable bind is never unmapped)" \
		"$out" "Not linking the journal: .*\(overlay\).*unlinked"
	assert_eq "…nothing made there" "$(ls -A "$T/ov/mnt/journal")" ""
else
	skip "where the journal directory cannot be idmapped" "overlayfs cannot be mounted here"
fi

# --- without a user namespace the directory is root's ---
mkdir -p "$T/v3/journal"
jrun "$T/v3" "$lj" --private-users=no --link-journal=host -- sh -c 'echo x > /var/log/journal/'"$id"'/lines'
assert_eq "--private-users=no: made root's, written as root" "$(stat -c '%u:%g' "$T/v3/journal/$id" "$T/v3/journal/$id/lines")" "0:0
0:0"

# --- what must not be linked ---
mkdir -p "$T/v4/journal" "$T/elsewhere"
ln -s "$T/elsewhere" "$T/v4/journal/$id"
out=$(jrun "$T/v4" "$lj" --link-journal=host -- sh -c 'echo x > /var/log/journal/'"$id"'/lines' 2>&1); rc=$?
assert_match "a symlink at /var/log/journal/ID is not followed: refused with host" "$rc $out" "^1 .*'/var/log/journal/$id' is not a directory"
assert_eq "…nothing written where it points" "$(ls -A "$T/elsewhere")" ""
hostid=$(tr -d '\n' </etc/machine-id 2>/dev/null)
if [[ $hostid =~ ^[0-9a-f]{32}$ ]]; then
	mkdir -p "$T/v5/journal"
	out=$(jrun "$T/v5" "$lj" --uuid="$hostid" --link-journal=host -- true 2>&1); rc=$?
	assert_match "the host's own machine ID is never bound in: refused with host" "$rc $out" "^1 .*machine ID $hostid is the host's"
	out=$(jrun "$T/v5" "$lj" --uuid="$hostid" --link-journal=try-host -- sh -c '! test -e /var/log/journal && echo unlinked' 2>&1)
	assert_match "…skipped with a warning with try-host" "$out" "the container's machine ID is the host's.*unlinked"
	assert_eq "…and nothing made" "$(ls -A "$T/v5/journal")" ""
else
	skip "the host's own machine ID is never bound in" "this host has no /etc/machine-id"
fi

# --- bad values ---
out=$("$NSPAWN" -q -M "$lj" --closure="$closure" --link-journal='tr y-host' -- true 2>&1); rc=$?
assert_match "a bad --link-journal: one line naming it, exit 1" "$rc $out" "^1 .*Invalid --link-journal 'tr y-host': expected no, host, try-host, guest, try-guest or auto\.$"
out=$("$NSPAWN" --check --closure="$closure" --link-journal=hots 2>&1); rc=$?
assert_match "--check refuses it the same way" "$rc $out" "^1 .*Invalid --link-journal 'hots'"
ok "nothing of it is left" leftovers "$lj"
ok "…nor of the other name" leftovers "$lj2"
