#!/bin/bash
# A good citizen of a systemd host: the installed unit files, readiness, machined registration (machinectl,
# systemctl -M, journalctl -M), stop/poweroff/reboot/terminate, machinectl start via the drop-in, credentials,
# a scope from a shell, and ten containers at once.
. "$(dirname "$0")/lib.sh"
th_need
fixture boot

# make install into the test host, as an administrator would
inst=$TH_SHARED/install
ok "make install DESTDIR=… works" make -s -C "$TOP" install DESTDIR="$inst" PREFIX=/usr/local
th_sh 'tar -C "$1" -c . | tar -C / -x --no-overwrite-dir && mkdir -p /etc/nixos-nspawn && systemctl daemon-reload' "$inst"
conf() { # NAME ARGS...: the per-instance settings file
	local name=$1; shift
	th_sh 'printf "NIXOS_NSPAWN_ARGS=\"%s\"\n" "$2" > /etc/nixos-nspawn/$1.conf' "$name" "$*"
}
args="--closure=$closure --init=$init --private-network"
at_exit "th_exec sh -c 'systemctl stop nixos-nspawn@\\*.service systemd-nspawn@\\*.service; machinectl terminate web web2 cr1 sc1 2>/dev/null' >/dev/null 2>&1"

# --- the template unit ---
conf web "$args"
th_exec systemctl start nixos-nspawn@web; rc=$?
state=$(th_exec systemctl -M web is-system-running 2>&1)
assert_eq "systemctl start returns with the unit active" "$rc $(th_exec systemctl is-active nixos-nspawn@web)" "0 active"
assert_eq "…and only once the container is ready (it is running at once)" "$state" "running"
assert_match "STATUS= reaches the unit" "$(th_exec systemctl show -p StatusText --value nixos-nspawn@web)" "running"
assert_match "machinectl list shows it, class container" "$(th_exec machinectl list --no-legend)" "^web +container +nixos-nspawn"
status=$(th_exec machinectl status web --no-pager 2>&1)
assert_match "machinectl status shows its leader" "$status" "Leader: [0-9]+ \\(systemd\\)"
assert_match "…and its UID shift" "$status" "UID Shift: [1-9][0-9]*"
assert_match "…and its unit" "$status" "Unit: nixos-nspawn@web.service"
assert_match "the container is in payload/, the launcher in supervisor/" "$status" "payload.*supervisor|supervisor.*payload"
assert_eq "machinectl shell runs a command inside" "$(th_exec machinectl -q shell web /bin/sh -c 'echo ok' 2>/dev/null | tr -d '\r')" "ok"
th_exec machinectl -q shell web /usr/sbin/useradd -m -s /bin/sh alice >/dev/null 2>&1
assert_eq "machinectl shell USER@NAME works for a non-root user" \
	"$(th_exec machinectl -q shell alice@web /bin/sh -c 'id -un' 2>/dev/null | tr -d '\r')" "alice"
login=$(th_exec timeout 5 script -qfc "machinectl login web" /dev/null 2>&1 </dev/null | tr -d '\r')
assert_match "machinectl login reaches a login prompt" "$login" "web login:"
assert_eq "systemctl -M is-system-running says running" "$(th_exec systemctl -M web is-system-running)" "running"
assert_match "journalctl -M shows the container's journal" "$(th_exec journalctl -M web -b --no-pager -n 20)" " web "
# The monitor registered through sd-bus loaded on demand (above); libmount is not linked at all, and no NSS module
# is loaded into it (the test host's nsswitch.conf says "files": the UID pick reads the files itself).
mon=$(th_exec systemctl show -p MainPID --value nixos-nspawn@web)
maps=$(th_exec cat "/proc/$mon/maps" 2>&1)
assert_match "the monitor's maps are readable (it is the unit's main process)" "$maps" "nixos-nspawn"
assert_eq "…and hold no NSS module and no libmount" "$(grep -cE 'libnss_|libmount' <<<"$maps")" "0"
# (a connection per running container counted against dbus-daemon's 256 per user: spawn/machined.h)
assert_eq "…and no connection to the system bus once registered" "$(th_exec busctl list --unique --no-legend | awk -v p="$mon" '$2 == p')" ""

th_exec machinectl poweroff web
th_sh 'for i in $(seq 100); do case $(systemctl is-active nixos-nspawn@web) in inactive|failed) break;; esac; sleep 0.1; done'
assert_eq "machinectl poweroff stops it cleanly (inactive, not failed)" \
	"$(th_exec systemctl show -p ActiveState --value nixos-nspawn@web) $(th_exec systemctl show -p Result --value nixos-nspawn@web)" "inactive success"

th_exec systemctl start nixos-nspawn@web
before=$(th_exec machinectl show web -p Leader --value)
th_exec machinectl -q shell web /bin/sh -c 'echo x > /etc/written-before' >/dev/null 2>&1
th_exec machinectl reboot web
th_sh 'for i in $(seq 100); do l=$(machinectl show web -p Leader --value 2>/dev/null); [ -n "$l" ] && [ "$l" != "$1" ] && [ "$(systemctl -M web is-system-running 2>/dev/null)" = running ] && exit 0; sleep 0.1; done; exit 1' "$before"
_report $? "machinectl reboot restarts it (exit 133 → RestartForceExitStatus)"
assert_eq "…with a fresh root" "$(th_exec machinectl -q shell web /bin/sh -c 'test -e /etc/written-before && echo kept || echo fresh' 2>/dev/null | tr -d '\r')" "fresh"
th_exec systemctl stop nixos-nspawn@web
assert_eq "systemctl stop stops it cleanly" \
	"$(th_exec systemctl show -p ActiveState --value nixos-nspawn@web) $(th_exec systemctl show -p Result --value nixos-nspawn@web)" "inactive success"
th_exec systemctl start nixos-nspawn@web
start=$(date +%s.%N)
th_exec machinectl terminate web
th_sh 'for i in $(seq 300); do case $(systemctl is-active nixos-nspawn@web) in inactive|failed) break;; esac; sleep 0.1; done'
echo "# terminate took $(_secs_since "$start") s"
assert_eq "machinectl terminate ends it" "$(th_exec systemctl is-active nixos-nspawn@web)" "inactive"

# --- machinectl start/stop/enable through the systemd-nspawn@ drop-in ---
conf web2 "$args"
th_exec nixos-nspawn-machinectl web2
# a limit on the container's own unit, as an administrator (or the NixOS module's serviceConfig) sets it
th_sh 'mkdir -p /etc/systemd/system/nixos-nspawn@web2.service.d && printf "[Service]\nMemoryMax=300M\nTasksMax=777\n" > /etc/systemd/system/nixos-nspawn@web2.service.d/limits.conf && systemctl daemon-reload'
at_exit "th_sh 'rm -rf /etc/systemd/system/nixos-nspawn@web2.service.d; systemctl daemon-reload' >/dev/null 2>&1"
th_exec machinectl start web2
assert_eq "machinectl start NAME runs nixos-nspawn" "$(th_exec systemctl is-active systemd-nspawn@web2) $(th_exec machinectl show web2 -p Service --value)" "active nixos-nspawn"
# the machine's cgroup, as machined knows it: whatever unit runs the launcher, its limits are what the container has
unit=$(th_exec machinectl show web2 -p Unit --value)
cg=$(th_exec systemctl show "$unit" -p ControlGroup --value)
assert_eq "…in the container's own unit, with that unit's MemoryMax= and TasksMax= (one definition of the settings)" \
	"$unit $(th_exec systemctl show "$unit" -p MemoryMax -p TasksMax --value | xargs)" "nixos-nspawn@web2.service 314572800 777"
if th_sh 'grep -qw memory "/sys/fs/cgroup$1/cgroup.controllers"' "$cg"; then
	assert_eq "…and the kernel enforces them on its cgroup" \
		"$(th_sh 'cat "/sys/fs/cgroup$1/memory.max" "/sys/fs/cgroup$1/pids.max"' "$cg" | xargs)" "314572800 777"
else
	skip "…and the kernel enforces them on its cgroup" "the test host's cgroup has no memory controller (this machine does not delegate it)"
fi
th_exec machinectl start web2; rc=$?
assert_eq "machinectl start NAME while it runs succeeds, the same container" "$rc $(th_exec machinectl show web2 -p Unit --value)" "0 nixos-nspawn@web2.service"
assert_eq "…without the distribution unit's watchdog (we send no WATCHDOG=1)" "$(th_exec systemctl show systemd-nspawn@web2 -p WatchdogUSec --value)" "0"
th_exec machinectl stop web2
th_sh 'for i in $(seq 100); do case $(systemctl is-active systemd-nspawn@web2) in inactive|failed) break;; esac; sleep 0.1; done'
assert_eq "machinectl stop NAME stops it" "$(th_exec systemctl is-active systemd-nspawn@web2)" "inactive"
th_exec machinectl enable web2 >/dev/null 2>&1
assert_eq "machinectl enable NAME enables it" "$(th_exec systemctl is-enabled systemd-nspawn@web2)" "enabled"
th_exec machinectl disable web2 >/dev/null 2>&1

# --- credentials ---
th_sh 'umask 077; printf hunter2 > /etc/nixos-nspawn/cr1.secret'
conf cr1 "$args --load-credential=secret:/etc/nixos-nspawn/cr1.secret"
th_exec systemctl start nixos-nspawn@cr1
th_exec machinectl -q shell cr1 /bin/sh -c 'printf "[Service]\nType=oneshot\nRemainAfterExit=yes\nLoadCredential=secret\nExecStart=/bin/sh -c \"cat \$CREDENTIALS_DIRECTORY/secret > /root/got\"\n" > /etc/systemd/system/uses-secret.service; systemctl daemon-reload; systemctl start uses-secret' >/dev/null 2>&1
assert_eq "a service inside reads the credential with LoadCredential=" \
	"$(th_exec machinectl -q shell cr1 /bin/cat /root/got 2>/dev/null | tr -d '\r')" "hunter2"
th_exec machinectl -q shell cr1 /usr/sbin/useradd -m -s /bin/sh bob >/dev/null 2>&1
assert_match "…and nobody else inside" "$(th_exec machinectl -q shell bob@cr1 /bin/cat /run/host/credentials/secret 2>&1 | tr -d '\r')" "Permission denied"
assert_eq "the secret is on no command line of the test host" "$(th_sh 'cat /proc/[0-9]*/cmdline 2>/dev/null | tr "\0" "\n" | grep -c "hunt[e]r2"')" "0"
th_exec systemctl stop nixos-nspawn@cr1

# --- from a shell: machined makes machine-NAME.scope ---
th_sh 'systemd-run -q --scope --unit=shell-sc1 "$1" -q -M sc1 $2 --console=passive >/dev/null 2>&1 &' "$TH_NSPAWN" "$args"
th_sh 'for i in $(seq 100); do [ "$(systemctl -M sc1 is-system-running 2>/dev/null)" = running ] && exit 0; sleep 0.1; done; exit 1'
_report $? "started from a shell it boots"
assert_match "…in machine-NAME.scope, made by machined" "$(th_exec machinectl status sc1 --no-pager 2>&1)" "Unit: machine-sc1.scope"
th_exec machinectl terminate sc1
assert_eq "…and the scope is gone after terminate" "$(th_left /sys/fs/cgroup/machine.slice/machine-sc1.scope)" ""

# --- ten at once ---
for i in 0 1 2 3 4 5 6 7 8 9; do conf t$i "$args"; done
start=$(date +%s.%N)
th_exec systemctl start nixos-nspawn@t{0,1,2,3,4,5,6,7,8,9}; rc=$?
echo "# ten containers ready in $(_secs_since "$start") s"
assert_eq "ten started together are all active" "$rc $(th_exec systemctl is-active nixos-nspawn@t{0,1,2,3,4,5,6,7,8,9} | sort -u | xargs)" "0 active"
assert_eq "…and registered" "$(th_exec machinectl list --no-legend | grep -c '^t[0-9] ')" "10"
shifts=$(for i in 0 1 2 3 4 5 6 7 8 9; do th_exec machinectl status t$i --no-pager | sed -n 's/.*UID Shift: //p'; done | sort -u | wc -l)
assert_eq "…with ten different UID ranges" "$shifts" "10"
th_exec systemctl stop nixos-nspawn@t{0,1,2,3,4,5,6,7,8,9}
assert_eq "stopping them leaves no registration" "$(th_exec machinectl list --no-legend | grep -c '^t[0-9] ')" "0"
assert_eq "…no cgroups or scopes" "$(th_left /sys/fs/cgroup/machine.slice/nixos-nspawn@t0.service /sys/fs/cgroup/machine.slice/system-nixos\\x2dnspawn.slice/nixos-nspawn@t0.service /sys/fs/cgroup/machine.slice/machine-t0.scope)" ""
assert_eq "…no locks" "$(th_exec sh -c 'ls /run/nixos-nspawn/machines /run/nixos-nspawn/uid 2>/dev/null | grep -c "^t[0-9]\|^[0-9]"')" "0"
assert_eq "…no launcher processes" "$(th_exec pgrep -c -x nixos-nspawn)" "0"
