#!/bin/bash
# The stand-in for a NixOS toplevel: only --closure and --init, no -D. The root starts empty.
. "$(dirname "$0")/lib.sh"
need_root
sb1=$(mname sb1)
fixture boot

boot "$sb1" --closure="$closure" --init="$init"; _report $? "READY=1 reaches the service manager" "$(tail -n 20 "$T/console-$sb1")"
echo "# boot to READY=1: ${ready_secs}s ($paths store paths)"
state=$(in_container timeout 60 systemctl is-system-running --wait)
assert_eq "systemctl is-system-running says running" "$state" "running"
assert_eq "no unit failed" "$(in_container systemctl --failed --no-legend --plain)" ""
assert_eq "/nix/store holds only the closure" "$(in_container ls /nix/store | sort)" "$(xargs -n1 basename <"$closure" | sort)"
assert_eq "the root is a tmpfs" "$(in_container stat -f -c %T /)" "tmpfs"
kill -TERM "$boot_pid"; stopped; rc=$?
assert_eq "SIGTERM powers it off with exit 0" "$rc" "0"
ok "nothing is left behind" leftovers "$sb1"

# The same boot where the store cannot be idmapped, as in a NixOS VM test: the launcher runs in a mount namespace
# of its own whose /nix/store is a read-only overlay of the host's (private: nothing of it reaches the host).
[ -x "$BUILD/helpers/idmap-probe" ] || skip_rest "build first: no $BUILD/helpers/idmap-probe"
sb2=$(mname sb2)
mkdir -p "$T/empty"
cat >"$T/overlay-store" <<WRAP
#!/bin/sh
exec unshare -m --propagation private sh -c 'mount -t overlay nixos-nspawn-test -o lowerdir=/nix/store:$T/empty /nix/store &&
	"$BUILD/helpers/idmap-probe" /nix/store >"$T/probe" && exec "\$0" "\$@"' "$NSPAWN" "\$@"
WRAP
chmod +x "$T/overlay-store"
NSPAWN=$T/overlay-store boot "$sb2" --closure="$closure" --init="$init"
rc=$?
if [ "$rc" != 0 ] && [ ! -s "$T/probe" ]; then
	skip "a boot on a store that cannot be idmapped" "cannot mount overlayfs here: $(tail -n 3 "$T/console-$sb2")"
elif [[ $(cat "$T/probe") != *"idmap refused "* ]]; then
	kill -TERM "$boot_pid"; stopped
	skip "a boot on a store that cannot be idmapped" "this kernel idmaps overlayfs"
else
	_report "$rc" "overlay store: READY=1 reaches the service manager" "$(tail -n 20 "$T/console-$sb2")"
	assert_eq "the launcher said once that the store is not idmapped" \
		"$(grep -c "^Store '/nix/store' is on a file system that cannot be idmapped (overlay)" "$T/console-$sb2")" "1"
	assert_eq "systemctl is-system-running says running" "$(in_container timeout 60 systemctl is-system-running --wait)" \
		"running"
	assert_eq "no unit failed" "$(in_container systemctl --failed --no-legend --plain; echo "exit $?")" "exit 0"
	assert_eq "the init's store path is nobody's inside" "$(in_container stat -c %u:%g "$init")" "65534:65534"
	kill -TERM "$boot_pid"; stopped; rc=$?
	assert_eq "SIGTERM powers it off with exit 0" "$rc" "0"
	ok "nothing is left behind" leftovers "$sb2"
fi
