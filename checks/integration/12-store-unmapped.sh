#!/bin/bash
# A store on a file system that refuses idmapped mounts (overlayfs here; in a NixOS VM test the store is an overlay
# on 9p; NFS and older ZFS refuse too): the container starts with the store unmapped (read-only, nosuid, nodev,
# locked; owned by nobody inside) and one line saying so. The same store on a file system that takes idmapping is
# still idmapped, silently. Writable binds and -D images there are refused, naming the way out; read-only binds
# fall back like the store. (The live update on such a store: 90-ctl.sh.)
. "$(dirname "$0")/lib.sh"
need_root
PROBE=$BUILD/helpers/idmap-probe
[ -x "$PROBE" ] || skip_rest "build first: no $PROBE"
fixture many 20
many=$closure
fixture tools
un=$(mname un) id=$(mname id) ro=$(mname unro) rw=$(mname unrw) nd=$(mname unnd) im=$(mname unim)

# Not below /tmp: the container's own /tmp would cover a store there.
D=$(mktemp -d /var/tmp/nixos-nspawn-unmapped.XXXXXX)
at_exit "umount -l $D/store $D/data $D/image 2>/dev/null; rm -rf $D"
mkdir -p "$D"/{lower,empty,plain,store,dlower,dupper,dwork,data,image}
sort -u "$closure" "$many" >"$T/paths"
for p in $(cat "$T/paths"); do cp -a "$p" "$D/lower/"; cp -a "$p" "$D/plain/"; done
echo "bound data" >"$D/dlower/file"
mount -t overlay nixos-nspawn-test -o "lowerdir=$D/lower:$D/empty" "$D/store" &&
	mount -t overlay nixos-nspawn-test -o "lowerdir=$D/dlower,upperdir=$D/dupper,workdir=$D/dwork" "$D/data" &&
	mount -t overlay nixos-nspawn-test -o "lowerdir=$D/dlower:$D/empty" "$D/image" ||
	skip_rest "cannot mount overlayfs here"

# The test's own judge of which file systems refuse (not the launcher's code).
case $("$PROBE" "$D/store") in
*"idmap ok") skip_rest "this kernel idmaps overlayfs: no file system here refuses idmapping" ;;
*"idmap refused "*) ;;
*) skip_rest "idmap-probe failed on $D/store" ;;
esac
assert_match "the plain copy's file system takes idmapping (the control)" "$("$PROBE" "$D/plain")" "idmap ok$"

bb=$(basename "$(dirname "$(dirname "$busybox")")")
tl=$(basename "$tools")
sed "s|^/nix/store/|$D/store/|" "$T/paths" >"$T/store.closure"
sed "s|^/nix/store/|$D/plain/|" "$T/paths" >"$T/plain.closure"
n=$(wc -l <"$T/paths")
# inside: busybox by its path in the store given (the tools' links point into /nix/store, not there)
inside() { # NAME STORE ARGS... -- COMMAND: stdout to $T/NAME.out, stderr to $T/NAME.err
	local name=$1 store=$2; shift 2
	"$NSPAWN" -q -M "$name" --console=pipe --store-dir="$D/$store" --closure="$T/$store.closure" "$@" \
		>"$T/$name.out" 2>"$T/$name.err"
}
probe_script='bb=$1; s=$2; t=$3
$bb stat -c %u:%g "$s"/* | $bb sort -u
$bb head -n 1 "$t/bin/fixture-info"
$bb grep " $t " /proc/self/mountinfo | $bb cut -d" " -f6
$bb mount -o remount,rw "$t" 2>/dev/null && echo remounted-rw
$bb umount "$t" 2>/dev/null && echo unmounted
$bb touch "$t/new" 2>&1 | $bb grep -o "Read-only file system"'

# --- the control: the same paths on a file system that takes idmapping
inside "$id" plain -- "$D/plain/$bb/bin/busybox" sh -c "$probe_script" - "$D/plain/$bb/bin/busybox" "$D/plain" "$D/plain/$tl"
_report $? "a store that can be idmapped: the container runs" "$(cat "$T/$id.err")"
assert_eq "it says nothing about idmapping" "$(cat "$T/$id.err")" ""
assert_eq "its store is root's inside (idmapped)" "$(sed -n 1p "$T/$id.out")" "0:0"
assert_match "its store paths are ro,nosuid,nodev,idmapped" "$(sed -n 3p "$T/$id.out")" "^ro,nosuid,nodev,[a-z,]*idmapped"

# --- the overlay store
inside "$un" store -- "$D/store/$bb/bin/busybox" sh -c "$probe_script" - "$D/store/$bb/bin/busybox" "$D/store" "$D/store/$tl"
_report $? "a store that cannot be idmapped: the container starts anyway" "$(cat "$T/$un.err")"
assert_eq "one line says so, for all $n paths" "$(grep -c . "$T/$un.err")" "1"
assert_match "the line names the store, its file system and what changes inside" "$(cat "$T/$un.err")" \
	"^Store '$D/store' is on a file system that cannot be idmapped \(overlay\): .*nobody \(65534\) inside\.$"
assert_eq "its store paths are nobody's inside" "$(sed -n 1p "$T/$un.out")" "65534:65534"
assert_eq "and readable" "$(sed -n 2p "$T/$un.out")" "#!/nix/store/$bb/bin/busybox sh"
opts=$(sed -n 3p "$T/$un.out")
assert_match "they are mounted ro,nosuid,nodev" "$opts" "^ro,nosuid,nodev"
[[ -n $opts && $opts != *idmapped* ]]; _report $? "and not idmapped" "got: $opts"
assert_eq "root inside cannot remount one read-write, unmount it, or write to it" "$(sed -n '4,$p' "$T/$un.out")" \
	"Read-only file system"
ok "nothing is left behind" leftovers "$un"

# --- binds and images on such a file system
inside "$ro" plain --bind-ro="$D/image:/data" -- "$D/plain/$bb/bin/busybox" stat -c %u:%g /data/file
_report $? "a read-only bind of it (idmapped by default) falls back" "$(cat "$T/$ro.err")"
assert_match "saying so in one line naming it" "$(cat "$T/$ro.err")" \
	"^Bind source '$D/image' is on a file system that cannot be idmapped \(overlay\): bound read-only without idmapping"
assert_eq "its files are nobody's inside" "$(cat "$T/$ro.out")" "65534:65534"

# refused DESCRIPTION WANT NAME ARGS...: one line naming it, non-zero, nothing left
refused() {
	local d=$1 want=$2 name=$3 out rc lines left=; shift 3
	out=$("$NSPAWN" -q -M "$name" --console=pipe --store-dir="$D/plain" --closure="$T/plain.closure" "$@" \
		-- "$D/plain/$bb/bin/busybox" true 2>&1 </dev/null); rc=$?
	lines=$(printf '%s\n' "$out" | grep -c .)
	[ "$rc" != 0 ] && [[ $out == *"$want"* ]] && [ "$lines" = 1 ] && left=$(leftovers "$name")
	_report $? "$d" "exit $rc, $lines lines: $out${left:+
left behind: $left}"
}
refused "a writable bind of it is refused (never quietly unmapped), naming it and 'noidmap'" \
	"Bind source '$D/data' is on a file system that cannot be idmapped (overlay), and a writable bind is not mapped otherwise: bind it with the option 'noidmap'" \
	"$rw" --bind="$D/data:/data"
refused "so is one with 'idmap'" "Bind source '$D/data' is on a file system that cannot be idmapped" \
	"$rw" --bind="$D/data:/data:idmap"
inside "$nd" plain --bind="$D/data:/data:noidmap" -- "$D/plain/$bb/bin/busybox" cat /data/file
_report $? "with 'noidmap' it is bound as asked" "$(cat "$T/$nd.err")"
assert_eq "(and read)" "$(cat "$T/$nd.out")" "bound data"
refused "an image directory (-D) on it is refused, naming it" \
	"Image directory '$D/image' is on a file system that cannot be idmapped (overlay)" "$im" -D "$D/image"
ok "nothing is left of any of them" leftovers "$ro"
