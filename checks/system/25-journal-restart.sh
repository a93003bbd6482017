#!/bin/bash
# Run like a service: the container's journal kept on the host (--link-journal=try-host) and readable before and
# after a crash, the unit bringing it back after its PID 1 is killed (Restart=on-failure), the container interface
# systemd's own tools expect (systemd-detect-virt, /run/host/container-uuid), and machinectl start while the unit
# runs it.
. "$(dirname "$0")/lib.sh"
th_need
fixture boot

inst=$TH_SHARED/install
ok "make install DESTDIR=… works" make -s -C "$TOP" install DESTDIR="$inst" PREFIX=/usr/local
th_sh 'tar -C "$1" -c . | tar -C / -x --no-overwrite-dir && mkdir -p /etc/nixos-nspawn && systemctl daemon-reload' "$inst"
j=jr1
# The test host's own /var/log is on its root overlay, which cannot be idmapped (the launcher then links nothing:
# 52-link-journal.sh): a tmpfs at the container's /var/log/journal/ID, owned by the foreign root as the launcher
# makes it (52-link-journal.sh checks that), stands in for a host's ext4 or btrfs.
conf() { th_sh 'printf "NIXOS_NSPAWN_ARGS=\"%s\"\n" "$2" > /etc/nixos-nspawn/$1.conf' "$j" "--closure=$closure --init=$init --private-network $1"; }
at_exit "th_exec sh -c 'systemctl stop nixos-nspawn@$j.service systemd-nspawn@$j.service; systemctl reset-failed nixos-nspawn@$j.service systemd-nspawn@$j.service; nixos-nspawn-machinectl $j --remove' >/dev/null 2>&1"
conf --link-journal=no
th_exec systemctl start "nixos-nspawn@$j"
id=$(th_exec machinectl show "$j" -p Id --value)
th_exec systemctl stop "nixos-nspawn@$j"
assert_match "a first start, unlinked, gives the container's machine ID" "$id" '^[0-9a-f]{32}$'
[ -n "$id" ] || skip_rest "no machine ID"
jdir=/var/log/journal/$id
th_exec mkdir -p "$jdir"
th_exec mount -t tmpfs -o "mode=0755,uid=$((0x7FFE0000)),gid=$((0x7FFE0000))" jr-journal "$jdir"
at_exit "th_exec umount -l '$jdir' 2>/dev/null; th_exec rmdir '$jdir' 2>/dev/null"
conf --link-journal=try-host
# in NAME COMMAND...: a command inside the container (machinectl shell), its output without carriage returns
inside() { local m=$1; shift; th_exec machinectl -q shell "$m" "$@" 2>/dev/null | tr -d '\r'; }
# running NAME: its systemd says running (10 s)
running() { th_sh 'for i in $(seq 100); do [ "$(systemctl -M "$1" is-system-running 2>/dev/null)" = running ] && exit 0; sleep 0.1; done; exit 1' "$1"; }

th_exec systemctl start "nixos-nspawn@$j"
running "$j"; _report $? "the container starts and runs" "$(th_unit_diag "nixos-nspawn@$j")"

# --- the container interface ---
assert_eq "systemd-detect-virt -c inside says systemd-nspawn (ConditionVirtualization=systemd-nspawn holds)" \
	"$(inside "$j" /usr/bin/systemd-detect-virt -c)" "systemd-nspawn"
uuid=$(inside "$j" /bin/cat /run/host/container-uuid)
assert_match "/run/host/container-uuid is a dashed UUID" "$uuid" '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
assert_eq "…the same machine ID at this start, machined's and /etc/machine-id inside" \
	"$(tr -d - <<<"$uuid") $(th_exec machinectl show "$j" -p Id --value) $(inside "$j" /bin/cat /etc/machine-id)" "$id $id $id"

# --- the journal on the host ---
assert_match "the host's /var/log/journal/ID is bound in (idmapped)" "$(inside "$j" /bin/grep " $jdir " /proc/self/mountinfo)" " $jdir rw,.*idmapped"
inside "$j" /bin/sh -c 'echo before-crash-marker | systemd-cat -t jr-test' >/dev/null
th_sh 'for i in $(seq 50); do journalctl -M "$1" -t jr-test --no-pager -q 2>/dev/null | grep -q before-crash-marker && exit 0; sleep 0.1; done; exit 1' "$j"
_report $? "a line logged inside is readable with journalctl -M while it runs"
th_sh 'for i in $(seq 50); do journalctl -D "$1" -t jr-test --no-pager -q 2>/dev/null | grep -q before-crash-marker && exit 0; sleep 0.1; done; exit 1' "$jdir"
_report $? "…and with journalctl -D $jdir on the host"

# --- its PID 1 killed: the unit brings it back ---
leader=$(th_exec machinectl show "$j" -p Leader --value)
restarts=$(th_exec systemctl show -p NRestarts --value "nixos-nspawn@$j")
th_exec kill -KILL "$leader"
th_sh 'for i in $(seq 200); do l=$(machinectl show "$1" -p Leader --value 2>/dev/null); [ -n "$l" ] && [ "$l" != "$2" ] && [ "$(systemctl -M "$1" is-system-running 2>/dev/null)" = running ] && exit 0; sleep 0.1; done; exit 1' "$j" "$leader"
_report $? "PID 1 killed (SIGKILL): the unit starts it again (Restart=on-failure)" "$(th_unit_diag "nixos-nspawn@$j")"
assert_eq "…counted as a restart by the unit" "$(th_exec systemctl show -p NRestarts --value "nixos-nspawn@$j")" "$((restarts + 1))"
assert_eq "…with the same machine ID" "$(th_exec machinectl show "$j" -p Id --value)" "$id"
assert_match "the line from before the crash is readable with journalctl -M after it" \
	"$(th_exec journalctl -M "$j" -t jr-test --no-pager -q 2>&1)" "before-crash-marker"
inside "$j" /bin/sh -c 'echo after-restart-marker | systemd-cat -t jr-test' >/dev/null
th_sh 'for i in $(seq 50); do journalctl -M "$1" -t jr-test --no-pager -q 2>/dev/null | grep -q after-restart-marker && exit 0; sleep 0.1; done; exit 1' "$j"
_report $? "a line logged after the restart is readable too"

# --- machinectl start while the unit runs it ---
leader=$(th_exec machinectl show "$j" -p Leader --value)
th_exec nixos-nspawn-machinectl "$j"
th_exec machinectl start "$j" >"$T/mstart" 2>&1; rc=$?
assert_eq "machinectl start NAME while nixos-nspawn@NAME runs it: no error" "$rc $(cat "$T/mstart")" "0 "
assert_eq "…and no second launcher: the unit still runs the same leader" \
	"$(th_exec systemctl is-active "nixos-nspawn@$j") $(th_exec machinectl show "$j" -p Leader --value)" "active $leader"
out=$(th_exec "$TH_NSPAWN" -M "$j" --closure="$closure" --init="$init" --private-network 2>&1); rc=$?
assert_match "started by hand meanwhile, the launcher refuses naming the unit that runs it" "$rc $out" \
	"^1 .*Machine '$j' is already running, as nixos-nspawn@$j.service"

# --- a crash while machinectl's handle is active: the unit restarts the container, the handle comes back with it
# (BindsTo= stops the handle when the unit goes down; its stop propagated back would cancel the unit's restart)
leader=$(th_exec machinectl show "$j" -p Leader --value)
restarts=$(th_exec systemctl show -p NRestarts --value "nixos-nspawn@$j")
th_exec kill -KILL "$leader"
th_sh 'for i in $(seq 200); do l=$(machinectl show "$1" -p Leader --value 2>/dev/null); [ -n "$l" ] && [ "$l" != "$2" ] && [ "$(systemctl -M "$1" is-system-running 2>/dev/null)" = running ] && exit 0; sleep 0.1; done; exit 1' "$j" "$leader"
_report $? "PID 1 killed while machinectl's handle is active: the unit still starts it again" \
	"$(th_unit_diag "nixos-nspawn@$j"; th_unit_diag "systemd-nspawn@$j")"
assert_eq "…counted as the unit's restart" "$(th_exec systemctl show -p NRestarts --value "nixos-nspawn@$j")" "$((restarts + 1))"
th_sh 'for i in $(seq 50); do [ "$(systemctl is-active "systemd-nspawn@$1")" = active ] && exit 0; sleep 0.1; done; exit 1' "$j"
_report $? "…and the handle is active again with it" "$(th_unit_diag "systemd-nspawn@$j")"

# --- a poweroff is not a failure: no restart; the journal stays on the host ---
th_exec machinectl poweroff "$j"
th_sh 'for i in $(seq 100); do case $(systemctl is-active "nixos-nspawn@$1") in inactive|failed) exit 0;; esac; sleep 0.1; done; exit 1' "$j"
# (a restart due would show as activating (auto-restart) from the moment the launcher ended, never as inactive)
assert_eq "machinectl poweroff stops it for good (inactive, dead, success: no restart pending)" \
	"$(th_exec systemctl show -p ActiveState -p SubState -p Result --value "nixos-nspawn@$j" | xargs)" "success inactive dead"
assert_eq "…and machinectl's handle went down with it" "$(th_exec systemctl is-active "systemd-nspawn@$j")" inactive
out=$(th_exec journalctl -D "$jdir" -t jr-test --no-pager -q -o cat 2>&1)
assert_eq "after it stopped, journalctl -D shows the lines of both runs, in order" "$(grep -o '[a-z-]*-marker' <<<"$out" | xargs)" \
	"before-crash-marker after-restart-marker"
out=$(th_exec nixos-nspawnctl logs "$j" 2>&1 </dev/null)
assert_eq "nixos-nspawnctl logs NAME shows the same, from the host's directory" "$(grep -o '[a-z-]*-marker' <<<"$out" | sort -u | xargs)" \
	"after-restart-marker before-crash-marker"
th_exec umount -l "$jdir"; th_exec rmdir "$jdir"
out=$(th_exec nixos-nspawnctl logs "$j" 2>&1 </dev/null); rc=$?
assert_match "…and, with none kept and the container stopped, says so in one line" "$rc $out" \
	"^1 .*No journal of '$j' is kept on the host .*and it does not run\.$"
