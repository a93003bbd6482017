#!/bin/bash
# Nested containers in the systemd test host: its services are up, a command container runs in its own UID range
# and passes its exit status on, and the store-only fixture boots as a Type=notify unit that `systemd-run` starts
# only once the container is ready and `systemctl stop` stops cleanly.
. "$(dirname "$0")/lib.sh"
th_need

for u in systemd-machined systemd-networkd systemd-resolved; do
	assert_eq "$u is active in the test host" "$(th_exec systemctl is-active "$u" 2>&1)" active
done
assert_eq "the test host shares the host's user namespace" "$(th_exec cat /proc/self/uid_map | xargs)" \
	"0 0 4294967295"

# --- a command container ---
fixture tools
out=$(th_exec "$TH_NSPAWN" -q -M nest1 -P --closure="$closure" --setenv=PATH="$tools/bin" -- \
	"$busybox" sh -c 'cat /proc/self/uid_map; exit 7' 2>&1)
rc=$?
assert_eq "a nested command container's exit status passes through" "$rc" 7
read -r inside base size _ <<<"$out"
[ "$inside" = 0 ] && [ "$size" = 65536 ] && [ "${base:-0}" -ge $((0x80000)) ] 2>/dev/null
_report $? "it runs in its own 64K UID range (0 BASE 65536, BASE from the pool)" "uid_map: $out"
assert_eq "it leaves no lock, cgroup or scope in the test host" "$(th_left /run/nixos-nspawn/machines/nest1 \
	/sys/fs/cgroup/nixos-nspawn/nest1 /sys/fs/cgroup/machine.slice/machine-nest1.scope)" ""

# --- a boot as a transient Type=notify unit ---
fixture boot
at_exit "th_exec systemctl stop nest-boot >/dev/null 2>&1; th_exec systemctl reset-failed nest-boot >/dev/null 2>&1"
start=$(date +%s.%N)
out=$(th_exec systemd-run --unit=nest-boot -p Type=notify -p NotifyAccess=all -p Delegate=yes -p KillMode=mixed \
	-p SuccessExitStatus=133 -p TimeoutStartSec=60 -p TimeoutStopSec=30 \
	"$TH_NSPAWN" -M nb1 --closure="$closure" --init="$init" --private-network --console=passive 2>&1)
rc=$?
_report "$rc" "systemd-run starts the nested boot (Type=notify, Delegate=yes)" "$out"
echo "# nested boot: systemd-run returned after $(_secs_since "$start")s"
# Type=notify: systemd-run returns when the start job is done, i.e. on READY=1 — by then the container's
# systemd has finished starting up, with no --wait.
assert_eq "the unit is active as soon as systemd-run returns" \
	"$(th_exec systemctl show -P ActiveState -P SubState nest-boot | xargs)" "active running"
main=$(th_exec systemctl show -P MainPID nest-boot)
leader=$(th_leader_of "$main")
state=$(th_exec nsenter -t "${leader:-0}" -a -r -w systemctl is-system-running 2>&1)
assert_eq "…and the container's systemd was ready then: is-system-running says running" "$state" running
if [ "$state" != running ]; then # early READY=1, or no boot at all?
	assert_eq "the nested container reaches running at all" \
		"$(th_exec nsenter -t "${leader:-0}" -a -r -w timeout 30 systemctl is-system-running --wait 2>&1)" running
fi
[ "$rc" = 0 ] && [ "$state" = running ] || th_unit_diag nest-boot
# (READY=1 comes with "Container NAME running."; later STATUS= lines of the container's own are passed on as
# "Container NAME: TEXT")
assert_match "the unit's status line comes from the launcher" "$(th_exec systemctl show -P StatusText nest-boot)" \
	'^Container nb1( running\.|: .+)$'
# Delegate=yes: the launcher steps aside into supervisor/ and gives the container payload/.
assert_match "the container runs in the unit's delegated cgroup (payload/)" \
	"$(th_exec grep "^0::" "/proc/${leader:-0}/cgroup" 2>&1)" "^0::/system.slice/nest-boot.service/payload(/|$)"
assert_eq "the launcher runs in its supervisor/ leaf" \
	"$(th_exec grep "^0::" "/proc/${main:-0}/cgroup" 2>&1)" "0::/system.slice/nest-boot.service/supervisor"

start=$(date +%s.%N)
out=$(th_exec systemctl stop nest-boot 2>&1)
_report $? "systemctl stop nest-boot succeeds" "$out"
echo "# nested boot: stopped in $(_secs_since "$start")s"
# A transient unit that stopped cleanly is garbage-collected; a failed one stays loaded as failed.
state=$(th_exec systemctl is-failed nest-boot 2>&1)
assert_eq "the unit is inactive, not failed" "$state" inactive
[ "$state" = inactive ] || th_unit_diag nest-boot
assert_eq "the container left no lock or cgroup in the test host" "$(th_left /run/nixos-nspawn/machines/nb1 \
	/sys/fs/cgroup/nixos-nspawn/nb1 /sys/fs/cgroup/system.slice/nest-boot.service)" ""
assert_eq "machined knows no machine any more" "$(th_exec machinectl list --no-legend 2>&1)" ""
