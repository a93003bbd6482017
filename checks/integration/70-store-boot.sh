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
