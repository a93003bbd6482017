#!/bin/bash
# A Debian systemd image (-D) boots with a user namespace: READY=1, running, poweroff and reboot.
. "$(dirname "$0")/lib.sh"
need_root
bt=$(mname bt)
img=$(bash "$TOP/checks/fixtures/debian-image.sh") || skip_rest "the Debian image could not be built"

boot "$bt" -D "$img" -U; _report $? "READY=1 reaches the service manager" "$(tail -n 20 "$T/console-$bt")"
echo "# boot to READY=1: ${ready_secs}s"
state=$(in_container timeout 60 systemctl is-system-running --wait)
assert_eq "systemctl is-system-running says running" "$state" "running"
assert_eq "no unit failed" "$(in_container systemctl --failed --no-legend --plain)" ""
assert_match "the leader runs in a user namespace" "$(awk '{print $2}' /proc/$leader/uid_map)" "^[1-9][0-9]*$"
assert_eq "machine-id is container_uuid" "$(in_container cat /etc/machine-id)" \
	"$(tr -d - <"/proc/$leader/root/run/host/container-uuid")"
assert_eq "journald runs" "$(in_container systemctl is-active systemd-journald)" "active"
ok "a file can be written to /etc" in_container sh -c 'echo written > /etc/written-before'
kill -TERM "$boot_pid"; stopped; rc=$?
assert_eq "SIGTERM powers it off with exit 0" "$rc" "0"
ok "nothing is left behind after poweroff" leftovers "$bt"

# (boot clears $leader first: when it fails, in_container fails too, and so do the claims below)
boot "$bt" -D "$img" -U; _report $? "it boots a second time" "$(tail -n 20 "$T/console-$bt")"
ok "a file written in the last boot is gone (and /etc is there)" in_container sh -c 'test -d /etc/systemd && ! test -e /etc/written-before'
ok "systemctl reboot inside is accepted" in_container systemctl reboot
stopped; rc=$?
assert_eq "systemctl reboot inside gives exit 133" "$rc" "133"

boot "$bt" -D "$img" -U; _report $? "it boots a third time" "$(tail -n 20 "$T/console-$bt")"
ok "systemctl poweroff inside is accepted" in_container systemctl poweroff
stopped; rc=$?
assert_eq "systemctl poweroff inside gives exit 0" "$rc" "0"
ok "nothing is left behind" leftovers "$bt"
