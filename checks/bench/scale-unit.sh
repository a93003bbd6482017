#!/bin/bash
# Scale in the systemd test host (issue 12): N containers with a veth and systemd-networkd on both ends, started
# together through the unit (`systemctl start nixos-nspawn@NAME…`, Type=notify, so the start returns once every
# container said READY=1), then until each has a DHCP lease on host0, host memory per container, `systemctl stop`
# of all of them, and what is left. One TSV line per N on stdout:
#
#   n started active leased ready_s lease_s memavail0_kb memavail1_kb teardown_s left cores inotify_per_ct
#   inotify_max pid_max failed_why cpu_ms idle_ms inotify_watches_per_ct watches_max cpu_wait_ms cpu_settled_ms
#   settled_s networkd_fds networkd_nofile lease_verified
#
# cpu_ms: CPU (ms, cgroup cpu.stat usage_usec) from the start to the last lease of machine.slice (the units:
# launcher, monitor, containers), networkd, machined, journald, PID 1 and the whole test host, comma-separated;
# idle_ms: the same over 2 s before the start (the test host's background, subtracted by report_scale.py);
# cpu_wait_ms: the test host's cpu.pressure "some" total over the same span (some task waited for a CPU).
# cpu_settled_ms: as cpu_ms, from the start to 5 s after the last lease (settled_s after the start), when the boots'
# work after their lease (mDNS, router advertisements, the end of the boot) is done: for N = 1, the CPU of one boot.
# N = 1 runs SCALE_ONE_RUNS times (default 3) and again after each larger N: the CPU of one boot is the median of all
# (report_scale.py).
# networkd_fds, networkd_nofile: networkd's open files with the N containers up, and its soft RLIMIT_NOFILE.
# lease_verified: of the leased, how many have on host0 an address the host end's DHCP server offered (checked after
# the timing, apart from the quick test the timing loop uses; lease_verified()).
#
#   checks/bench/scale-unit.sh [N...]            (root; default 1 10 50 100 200; boots its own test host)
#
# Limits: the kernel charges every container's inotify instances (its systemd, journald, udev, …) to the owner of
# the container's user namespace, host root, against fs.inotify.max_user_instances. The NixOS module raises it to
# 8192 (nixos/host.nix); this script does the same for its run, as a NixOS host would have it, and restores it
# after. What stops a start is read from the unit's journal and named in failed_why (inotify, PIDs, UID ranges…).
# shellcheck disable=SC2016 # the scripts given to th_sh expand inside the test host
set -u

# --- in the test host: one size ---
if [ "${1:-}" = --inner ]; then
	n=$2 pfx=u$2-
	names=$(seq -f "$pfx%g" 1 "$n")
	units=$(for m in $names; do echo "nixos-nspawn@$m.service"; done)
	now() { date +%s.%N; }
	since() { awk -v s="$1" -v e="$2" 'BEGIN { printf "%.3f", e - s }'; }
	memavail() { awk '/^MemAvailable/ {print $2}' /proc/meminfo; }
	# PID's network namespace has an IPv4 address other than loopback and IPv4 link-local (the container has lo and
	# host0 only: that is host0's lease), read from /proc/PID/net/fib_trie with shell builtins. No process per check:
	# a fork and exec of nsenter and ip per container and pass took seconds a pass at N = 100 (the machine busy with
	# the boots), delaying the very leases it timed and taking CPU from the boots.
	host0_v4() {
		local line prev=""
		while IFS= read -r line; do
			if [[ $line == *"/32 host LOCAL"* && $prev =~ \|--\ ([0-9.]+) ]]; then
				case ${BASH_REMATCH[1]} in 127.* | 169.254.*) ;; *) return 0 ;; esac
			fi
			prev=$line
		done <"/proc/$1/net/fib_trie"
		return 1
	} 2>/dev/null

	# Whether host0's address came from the host end's DHCP server, apart from host0_v4 (which sees only that host0
	# has an address, however it got there): the container's global IPv4 address on host0 is one that networkd on
	# the host end lists as offered by its DHCP server (`networkctl status`, "Offered DHCP leases: ADDRESS (to …)"),
	# inside the host end's prefix, and not IPv4 link-local. The host end is host0's peer by interface index
	# ($ifname_, filled just before), not found by name. It forks a few processes per container: run after the timing.
	ip4_int() { local a b c d; IFS=. read -r a b c d <<<"$1"; echo $(((a << 24) | (b << 16) | (c << 8) | d)); }
	in_prefix() { # ADDRESS NETWORK/LENGTH
		local mask=$(((0xffffffff << (32 - ${2#*/})) & 0xffffffff))
		[ $(($(ip4_int "$1") & mask)) = $(($(ip4_int "${2%/*}") & mask)) ]
	}
	lease_verified() { # LEADER
		local link a host net
		link=$(nsenter -t "$1" -n ip -o link show dev host0)
		[[ $link =~ @if([0-9]+): ]] && host=${ifname_[${BASH_REMATCH[1]}]:-} && [ -n "$host" ] || return 1
		a=$(nsenter -t "$1" -n ip -4 -o addr show dev host0 scope global | awk '{ print $4; exit }')
		a=${a%/*}
		[[ $a =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ && $a != 169.254.* ]] || return 1
		for net in $(ip -4 -o addr show dev "$host" scope global | awk '{ print $4 }'); do
			in_prefix "$a" "$net" || continue
			networkctl status --no-pager -n 0 "$host" | grep -qF "$a (to " && return 0
		done
		return 1
	} 2>/dev/null

	# CPU by the cgroups' own accounting (usage_usec of cpu.stat, every process of a cgroup and its removed
	# children, reaped by whom ever): the units of the containers (launcher, monitor, the container's every process),
	# networkd, machined, journald, PID 1, and the whole test host (its cgroup namespace's root).
	cgs="machine.slice system.slice/systemd-networkd.service system.slice/systemd-machined.service
		system.slice/systemd-journald.service init.scope ."
	cpu_snap() { for c in $cgs; do awk '$1 == "usage_usec" {print $2}' "/sys/fs/cgroup/$c/cpu.stat" 2>/dev/null || echo 0; done | xargs; }
	cpu_diff() { # BEFORE AFTER → comma-separated ms per cgroup, in the order of $cgs
		awk -v a="$1" -v b="$2" 'BEGIN { n = split(a, x, " "); split(b, y, " "); s = ""
			for (i = 1; i <= n; i++) s = s (i > 1 ? "," : "") sprintf("%.1f", (y[i] - x[i]) / 1000); print s }'
	}
	for m in $names; do printf 'NIXOS_NSPAWN_ARGS="%s"\n' "$SCALE_ARGS" >"/etc/nixos-nspawn/$m.conf"; done
	sync
	# the test host's own background, for as long as one start takes at most: its rate is subtracted
	i0=$(cpu_snap)
	sleep 2
	idle=$(cpu_diff "$i0" "$(cpu_snap)")
	m0=$(memavail)
	# CPU pressure of the whole test host: time some of its tasks were runnable but waiting for a CPU. Against the
	# wall time it says whether the boots were short of CPU (the machine's other work or each other) or idle,
	# waiting on something else (a lock, a timer, a reply).
	psi() { awk '$1 == "some" { sub("total=", "", $5); print $5 }' /sys/fs/cgroup/cpu.pressure 2>/dev/null || echo 0; }
	p0=$(psi)
	declare -A restarts0_
	for u in systemd-networkd systemd-machined systemd-journald; do
		restarts0_[$u]=$(systemctl show -p NRestarts --value "$u" 2>/dev/null)
	done
	c0=$(cpu_snap)
	t0=$(now)
	# shellcheck disable=SC2086
	systemctl start $units 2>/dev/null
	t1=$(now)
	active=0 leaders=""
	# one systemctl for all (one each took a second or more at N = 100, counted in the time to the last lease)
	# shellcheck disable=SC2086
	mapfile -t states < <(systemctl is-active $units 2>/dev/null)
	i=0
	for m in $names; do
		i=$((i + 1))
		[ "${states[i - 1]:-}" = active ] || continue
		active=$((active + 1))
		# PID 1 of the container from its unit's cgroup: machinectl asks machined over D-Bus, which at
		# N = 200 timed out for a quarter of them (those then counted as unleased)
		l=""
		read -r l 2>/dev/null <"/sys/fs/cgroup/machine.slice/nixos-nspawn@$m.service/payload/init.scope/cgroup.procs"
		[ -n "$l" ] || l=$(machinectl show -p Leader --value "$m" 2>/dev/null)
		leaders="$leaders $l"
	done
	# until every running container has an IPv4 address from the host's DHCP server on host0 (300 s)
	waiting=$leaders leased=0
	end=$(($(date +%s) + 300))
	while [ -n "${waiting// /}" ] && [ "$(date +%s)" -lt "$end" ]; do
		left=""
		for l in $waiting; do host0_v4 "$l" || left="$left $l"; done
		waiting=$left
		[ -n "${waiting// /}" ] && sleep 0.05
	done
	t2=$(now)
	c2=$(cpu_snap)
	p2=$(psi)
	# one container's unit, cgroup by cgroup (the launcher and monitor, the payload's): where a boot's CPU goes
	u1=$(find /sys/fs/cgroup/machine.slice -maxdepth 1 -name "nixos-nspawn@${pfx}1.service" | head -n 1)
	if [ -n "$u1" ]; then
		printf '#unit_cgroups_ms_%s %s\n' "$n" "$(find "$u1" -name cpu.stat | while read -r f; do
			d=${f%/cpu.stat}
			printf '%s=%s\n' "${d#"$u1"}" "$(awk '$1 == "usage_usec" {printf "%.0f", $2 / 1000}' "$f")"
		done | xargs)"
	fi
	for l in $leaders; do host0_v4 "$l" && leased=$((leased + 1)); done
	sleep 2 # settled: what the containers hold, not their boot's transients
	m1=$(memavail)
	tm=$(now)
	# inotify instances of one container (all are alike): what each costs of fs.inotify.max_user_instances
	per=0 watches=0
	set -- $leaders
	if [ $# -gt 0 ]; then
		for p in $(ps -e -o pid= -o ppid= | awk -v l="$1" '$1 == l || $2 == l {print $1}'); do
			while read -r fd; do
				per=$((per + 1))
				watches=$((watches + $(awk '/^inotify wd:/ {n++} END {print n + 0}' 2>/dev/null <"/proc/$p/fdinfo/$fd" || echo 0)))
			done < <(find "/proc/$p/fd" -lname 'anon_inode:inotify' -printf '%f\n' 2>/dev/null)
		done
	fi
	# A boot's work does not end at its lease: the rest of the boot after READY=1, mDNS probes and announcements,
	# router advertisements, LLDP go on for about 5 s. At N, the containers leased early do that inside the time to
	# the last lease, so the CPU of one boot is counted to the point where it is done (cpu_settled_ms, 5 s after the
	# lease), and at N the same span is reported for the CPU per container.
	sleep "$(awk -v t="$tm" -v l="$t2" -v n="$(now)" 'BEGIN { d = 5 - (n - l); print (d > 0 ? d : 0) }')"
	t5=$(now)
	c5=$(cpu_snap)
	# networkd's open files with the N links up, and its soft limit (each link's sockets count against it)
	nd=$(systemctl show -p MainPID --value systemd-networkd 2>/dev/null)
	nd_fds=$(find "/proc/$nd/fd" -mindepth 1 2>/dev/null | wc -l)
	nd_nofile=$(awk '/^Max open files/ {print $4}' "/proc/$nd/limits" 2>/dev/null)
	declare -A ifname_
	while read -r i name _; do
		name=${name%%@*}
		ifname_[${i%:}]=${name%:}
	done < <(ip -o link show)
	verified=0
	for l in $leaders; do lease_verified "$l" && verified=$((verified + 1)); done
	why=""
	# a host-side daemon that restarted during the run (its cgroup's CPU counter starts again): say which
	for u in systemd-networkd systemd-machined systemd-journald; do
		r=$(systemctl show -p NRestarts --value "$u" 2>/dev/null)
		[ "${r:-0}" -gt "${restarts0_[$u]:-0}" ] 2>/dev/null && why="$why$u restarted ($r): $(journalctl -u "$u" -o cat --no-pager -n 200 2>/dev/null |
			grep -iE 'watchdog|killed|abort|dumped|failed|timeout' | tail -n 1); "
	done
	nl=$(echo $leaders | wc -w)
	[ "$nl" -lt "$active" ] && why="${why}no leader found for $((active - nl)) active; "
	if [ "$leased" -lt "$active" ]; then
		why="$why$((active - leased)) active without a lease (networkd on the host: $(journalctl -u systemd-networkd -o cat --no-pager -n 300 2>/dev/null |
			grep -iE 'fail|error|could not|timeout|too many' | tail -n 1)); "
	fi
	[ "$verified" -lt "$leased" ] && why="$why$((leased - verified)) with an address on host0 that the host end's DHCP server did not offer; "
	for m in $names; do
		[ "$(systemctl is-active "nixos-nspawn@$m")" = active ] && continue
		why="$why$m: $(journalctl -u "nixos-nspawn@$m" -o cat --no-pager -n 30 2>/dev/null |
			grep -iE 'fail|error|too many|no free|cannot|unable|resource' | grep -v '^nixos-nspawn@' | tail -n 1)"
		break
	done
	t3=$(now)
	# shellcheck disable=SC2086
	systemctl stop $units 2>/dev/null
	t4=$(now)
	# what is left (a plain veth goes with its namespace, in the kernel's clean-up just after the stop)
	for _ in $(seq 1 30); do
		left=$(
			ls /sys/class/net | grep "^ve-$pfx" | sed 's/^/link /'
			ls /run/systemd/network 2>/dev/null | grep -- "-ve-$pfx" | sed 's/^/unit /'
			ls /run/nixos-nspawn/machines 2>/dev/null | grep "^$pfx" | sed 's/^/lock /'
			find /sys/fs/cgroup/machine.slice -maxdepth 2 -name "*$pfx*" 2>/dev/null | sed 's/^/cgroup /'
			machinectl list --no-legend 2>/dev/null | grep "^$pfx" | sed 's/^/machine /'
			pgrep -af "nixos-nspawn .*--machine=$pfx" | sed 's/^/process /'
		)
		[ -z "$left" ] && break
		sleep 0.1
	done
	# shellcheck disable=SC2086
	systemctl reset-failed $units 2>/dev/null
	for m in $names; do rm -f "/etc/nixos-nspawn/$m.conf"; done
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$n" "$active" "$leased" \
		"$(since "$t0" "$t1")" "$(since "$t0" "$t2")" "$m0" "$m1" "$(since "$t3" "$t4")" \
		"$(echo "$left" | grep -c . | tr -d '\n')$([ -n "$left" ] && echo ": $(echo "$left" | head -n 3 | xargs)")" \
		"$(nproc)" "$per" "$(cat /proc/sys/fs/inotify/max_user_instances)" "$(cat /proc/sys/kernel/pid_max)" \
		"$(echo "$why" | tr '\t\n' '  ' | cut -c1-400)" "$(cpu_diff "$c0" "$c2")" "$idle" "$watches" "$(cat /proc/sys/fs/inotify/max_user_watches)" \
		"$(awk -v a="$p0" -v b="$p2" 'BEGIN { printf "%.1f", (b - a) / 1000 }')" "$(cpu_diff "$c0" "$c5")" "$(since "$t0" "$t5")" \
		"$nd_fds" "${nd_nofile:-}" "$verified"
	exit 0
fi

# --- on the host ---
. "$(dirname "$0")/../system/lib.sh"
SIZES=${*:-1 10 50 100 200}
exec 3>&1 1>&2 # the TSV lines go to the caller's stdout, the TAP and our notes to stderr
th_need
inst=$TH_SHARED/install
make -s -C "$TOP" install DESTDIR="$inst" PREFIX=/usr/local >/dev/null ||
	skip_rest "make install failed"
th_sh 'tar -C "$1" -c . | tar -C / -x --no-overwrite-dir && mkdir -p /etc/nixos-nspawn && systemctl daemon-reload' "$inst"
at_exit "th_exec sh -c 'systemctl stop nixos-nspawn@u\\*.service; rm -f /etc/nixos-nspawn/u*-*.conf' >/dev/null 2>&1"
# As in checks/system/30-network.sh: the test host's own image, networkd and resolved inside.
SCALE_ARGS="-D $TH_GUEST_IMAGE -U --network-veth --console=passive --bind-ro=$TH_TOP/checks/system/testhost/multi-user.target.d:/etc/systemd/system/multi-user.target.d"

limit=/proc/sys/fs/inotify/max_user_instances
old=$(cat "$limit")
if [ "$old" -lt 8192 ]; then
	echo 8192 >"$limit" && at_exit "echo $old >$limit"
	echo "# raised fs.inotify.max_user_instances $old → 8192 (as the NixOS module does) for this run" >&2
fi
echo "#inotify_host_default $old" >&3
one_size() { echo "# $1 containers" >&2; th_exec env SCALE_ARGS="$SCALE_ARGS" bash "$TH_TOP/checks/bench/scale-unit.sh" --inner "$1" >&3; }
# With N = 1 among the sizes, one boot is measured SCALE_ONE_RUNS times first and once more after each larger N, so
# that its median spans the same stretch of the machine's time as the large runs (other work on the machine moves
# the CPU time of the same work, and a few seconds at the start may find the machine quieter than the minutes after).
for n in $SIZES; do
	if [ "$n" = 1 ]; then
		for _ in $(seq 1 "${SCALE_ONE_RUNS:-3}"); do one_size 1; done
	else
		one_size "$n"
		[[ " $SIZES " == *" 1 "* ]] && one_size 1
	fi
done
ok "the scale runs finished" true
