#!/bin/bash
# The bad-input corpus: one line per bad value of a flag or a file the launcher reads. Each must exit non-zero (not
# by our deadline: a hang is a failure), print one line that names the value, escaped (no raw control byte), and
# leave nothing behind. The time each takes is measured and reported, not asserted.
. "$(dirname "$0")/lib.sh"
need_root
fixture tools

id=$(mname c) # every machine this file starts is named $id-N: nothing of another run's is looked at
n_case=0 slow="" total_ms=0 max_ms=0
DEADLINE=${CORPUS_DEADLINE:-30} # generous: a hang, not slowness, is what it catches

new_unheld_uid_locks() {
	local f
	for f in /run/nixos-nspawn/uid/* /run/systemd/nspawn-uid/*; do
		[[ " $uid_locks_before " == *" $f "* ]] && continue
		unheld "$f" && echo -n "$f "
	done
}

# Whatever the launcher of $1 could have left: mounts, cgroup, /run files, links, lock files, processes.
left_of() {
	local name=$1 found="" f
	grep -qE " /run/nixos-nspawn/(staging|propagate/$name|propagate-ns/$name) " /proc/self/mountinfo && found+="mount "
	[ -n "$cgroup2" ] && [ -e "$cgroup2/nixos-nspawn/$name" ] && found+="cgroup "
	[ -e "/run/nixos-nspawn/machines/$name" ] && found+="machine lock "
	[ -e "/run/netns/$name" ] && found+="netns export "
	ls /run/systemd/network/ 2>/dev/null | grep -q -- "-$name\.network" && found+="network unit "
	ip -o link show 2>/dev/null | grep -qE -- "(ve|vb)-$name[:@]" && found+="link "
	# UID locks are not named by machine: only one nobody holds that was not there before this case counts, and
	# only if it stays so (another test's launcher creates its lock file a moment before it locks it)
	wait_for 2 eval '[ -z "$(new_unheld_uid_locks)" ]' || found+="unheld uid locks $(new_unheld_uid_locks)"
	pgrep -f -- "-M $name( |$)" >/dev/null && found+="process "
	[ -z "$found" ] || { echo "$found"; return 1; }
}

# bad DESCRIPTION WANT ARGS...: WANT is what the one line must contain (the value as printed, escaped)
bad() {
	local d=$1 want=$2 name out rc start ms lines why=""; shift 2
	n_case=$((n_case + 1))
	name=$id-$n_case
	uid_locks_before=$(echo /run/nixos-nspawn/uid/* /run/systemd/nspawn-uid/*)
	start=$(date +%s%N)
	out=$(timeout -s KILL $DEADLINE "$NSPAWN" -M "$name" "$@" 2>&1 </dev/null); rc=$?
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	total_ms=$((total_ms + ms)); [ $ms -gt $max_ms ] && max_ms=$ms
	[ $ms -gt 1000 ] && slow+=" $n_case(${ms}ms)"
	lines=$(printf '%s\n' "$out" | wc -l)
	[ "$rc" = 137 ] && why+="hung past ${DEADLINE}s; "
	[ "$rc" = 0 ] && why+="exit 0; "
	[ "$lines" = 1 ] || why+="$lines lines; "
	[[ $out == *"$want"* ]] || why+="does not name '$want'; "
	printf '%s' "$out" | LC_ALL=C grep -q '[[:cntrl:]]' && why+="raw control bytes; "
	left=$(left_of "$name") || why+="left: $left; "
	[ -z "$why" ]; _report $? "$d" "$why(exit $rc, ${ms} ms): $(printf '%q' "$out")"
}

# --- files of every kind the launcher reads ---
F=$T/files
mkdir -p "$F/dir"
mkfifo "$F/fifo"
python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$F/sock" 2>/dev/null
ln -s / "$F/rootlink"
: >"$F/regular"
printf 'relative/path\n' >"$F/relative"
printf '/usr/lib\n' >"$F/outside"
printf '%s/sub\n' "$tools" >"$F/nested"
printf '/nix/store/..\n' >"$F/dotdot"
cat "$closure" "$closure" >"$F/dup"
printf '/nix/store/00000000000000000000000000000000-missing\n' >"$F/missing"
printf '%s\001x\n' "$tools" >"$F/control"
printf '' >"$F/empty"
printf '%s\n\n' "$tools" >"$F/blank"
printf '\033]0;owned\007\033[2J%s\r\n' "$tools" >"$F/terminal"
head -c 4096 "$NSPAWN" >"$F/binary"
printf '\177ELF\001\002\033[31m\n' >"$F/binary-no-nul"
printf '[Network]\nAddress=10.0.0.1/24\033[2J\n' >"$F/ini-control"
printf '[Bogus]\nX=1\n' >"$F/ini-section"
printf 'Address=1.2.3.4\n' >"$F/ini-nosection"
printf '[Network]\nNoEquals\n' >"$F/ini-noequals"
long=$(printf 'a%.0s' $(seq 1 65))
c=(--closure="$closure")
run=("${c[@]}" -- "$busybox" true)

# --- names and execution ---
bad "machine name with '_'" "'bad_name'" -M bad_name "${run[@]}"
bad "machine name starting with '-'" "'-x'" --machine=-x "${run[@]}"
bad "machine name of 65 characters" "'$long'" -M "$long" "${run[@]}"
bad "empty machine name" "''" --machine= "${run[@]}"
bad "machine name with a newline: escaped" "'a\nb'" -M $'a\nb' "${run[@]}"
bad "machine name with a terminal sequence: escaped" "'a\x1b[2Jb'" -M $'a\e[2Jb' "${run[@]}"
bad "machine name with invalid UTF-8: escaped" "'a\xffb'" -M $'a\xffb' "${run[@]}"
bad "hostname with '..'" "'a..b'" --hostname=a..b "${run[@]}"
bad "hostname with a CR: escaped" "'h\rx'" --hostname=$'h\rx' "${run[@]}"
bad "--uuid that is not one" "'xyz'" --uuid=xyz "${run[@]}"
bad "--uuid all zero" "'00000000000000000000000000000000'" --uuid=00000000000000000000000000000000 "${run[@]}"
bad "--setenv without '='" "'NOEQUALS'" --setenv=NOEQUALS "${run[@]}"
bad "--setenv with an empty name" "'=v'" --setenv==v "${run[@]}"
bad "--setenv with a name starting with a digit" "'1A=b'" --setenv=1A=b "${run[@]}"
bad "--setenv with a newline in the value" "'A=b\nc'" --setenv=$'A=b\nc' "${run[@]}"
bad "--kill-signal unknown" "'SIGFOO'" --kill-signal=SIGFOO "${run[@]}"
bad "--kill-signal 0" "'0'" --kill-signal=0 "${run[@]}"
bad "--kill-signal past SIGRTMAX" "'RTMIN+99'" --kill-signal=RTMIN+99 "${run[@]}"
bad "--notify-ready not a boolean" "'maybe'" --notify-ready=maybe "${run[@]}"
bad "--register not auto/yes/no" "'perhaps'" --register=perhaps "${run[@]}"
bad "--console unknown" "'foo'" --console=foo "${run[@]}"
bad "--capability unknown" "'CAP_NOPE'" --capability=CAP_CHOWN,CAP_NOPE "${run[@]}"
bad "--capability with an empty entry" "'CAP_CHOWN,'" --capability=CAP_CHOWN, "${run[@]}"
bad "--drop-capability with a control character: escaped" "'CAP_\\x1b[31m'" --drop-capability=$'CAP_\e[31m' "${run[@]}"
bad "--system-call-filter unknown call" "'keyctI'" --system-call-filter="read keyctI" "${run[@]}"
bad "--system-call-filter unknown group" "'@nope'" --system-call-filter="~@nope" "${run[@]}"
bad "--system-call-filter empty list" "'~'" --system-call-filter="~" "${run[@]}"
bad "unknown option" "--bogus" --bogus "${run[@]}"
bad "option without its argument" "'--machine'" "${run[@]:0:1}" --machine
bad "short option without its argument" "'-E'" "${run[@]:0:1}" -E
bad "unknown short option" "'-Z'" -Z "${run[@]}"
bad "unknown option with a newline: escaped, named without its value (not getopt's raw message)" "'--bo\ngus'" --$'bo\ngus=1' "${run[@]}"
bad "unknown short option that is ESC: escaped" "'-\x1b'" -q$'\x1b' "${run[@]}"

# --- user namespace ---
bad "--private-users not a number" "'abc'" --private-users=abc "${run[@]}"
bad "--private-users=0 is not a quiet 'no'" "'0'" --private-users=0 "${run[@]}"
bad "--private-users=1 is not a quiet 'yes'" "'1'" --private-users=1 "${run[@]}"
bad "--private-users base 0 with a size" "'0:65536'" --private-users=0:65536 "${run[@]}"
bad "--private-users unaligned base" "'65537'" --private-users=65537 "${run[@]}"
bad "--private-users half-aligned base" "'98304'" --private-users=98304 "${run[@]}"
bad "--private-users size 1" "'65536:1'" --private-users=65536:1 "${run[@]}"
bad "--private-users size 128K" "'65536:131072'" --private-users=65536:131072 "${run[@]}"
bad "--private-users size 0" "'65536:0'" --private-users=65536:0 "${run[@]}"
bad "--private-users past 2^32" "'4294967290'" --private-users=4294967290 "${run[@]}"
bad "--private-users (uid_t) -1" "'4294967295'" --private-users=4294967295 "${run[@]}"
bad "--private-users overflowing 64 bits" "'99999999999999999999999'" --private-users=99999999999999999999999 "${run[@]}"
bad "--private-users in the foreign range" "'2147352576'" --private-users=2147352576 "${run[@]}"
bad "--private-users above the foreign range" "'2147418112'" --private-users=2147418112 "${run[@]}"
bad "--private-users negative" "'-65536'" --private-users=-65536 "${run[@]}"
bad "--private-users in hex" "'0x10000'" --private-users=0x10000 "${run[@]}"
bad "--private-users with a trailing colon" "'65536:'" --private-users=65536: "${run[@]}"
gid=$(( (0x6E00 + $$ % 0xF0) * 65536 + 7 ))
if groupadd -g "$gid" "nsc$$" 2>/dev/null; then
	at_exit "groupdel nsc$$ 2>/dev/null"
	bad "--private-users range holding a host group's GID (not at its ends)" "nsc$$" \
		--private-users=$(( gid - 7 )) "${run[@]}"
	groupdel "nsc$$"
else
	skip "--private-users range holding a host group" "groupadd -g $gid failed"
fi

# --- the image ---
bad "-D that does not exist" "'/nonexistent-dir'" -D /nonexistent-dir
bad "-D that is a file" "'$busybox'" -D "$busybox"
bad "-D / (the host's root)" "'/'" -D /
bad "-D a symlink to /" "'$F/rootlink'" -D "$F/rootlink"
# Through /proc's links (another process's root or cwd): refused whatever they lead to, with the reason (here PID 1's
# root is also out of reach, EACCES: an LSM of this machine keeps us from it; elsewhere it is the host's root).
bad "-D /proc/1/root (the host's root by another name)" "'/proc/1/root' is a link of /proc" -D /proc/1/root
bad "-D /proc/self/root/..." "'/proc/self' is a link of /proc" -D /proc/self/root/tmp
ln -s /proc/1/root "$F/proc1link"
bad "-D a symlink to /proc/1/root" "'/proc/1/root' is a link of /proc" -D "$F/proc1link"
(cd "$F/dir" && exec sleep 60) & cwd_pid=$!
at_exit "kill $cwd_pid 2>/dev/null"
bad "-D /proc/PID/cwd of a process whose cwd is a directory" "'/proc/$cwd_pid/cwd' is a link of /proc" \
	-D "/proc/$cwd_pid/cwd"
kill $cwd_pid
bad "-D relative" "'relative'" -D relative
bad "-D with '..'" "'/tmp/..'" -D /tmp/..
bad "-D a FIFO" "'$F/fifo'" -D "$F/fifo"
bad "--init relative" "'init'" --init=init "${c[@]}"
bad "--init and a command" "'/sbin/init'" --init=/sbin/init "${run[@]}"
bad "--init with a newline: escaped" "'/x\ny'" --init=$'/x\ny' "${c[@]}"
bad "nothing to run" "Nothing to run" "${c[@]}"

# --- closure files ---
bad "closure file that does not exist" "'$T/nope'" --closure="$T/nope" -- "$busybox" true
bad "closure that is a FIFO: refused, not waited on" "'$F/fifo'" --closure="$F/fifo" -- "$busybox" true
bad "closure that is a directory" "'$F/dir'" --closure="$F/dir" -- "$busybox" true
bad "closure that is a device" "'/dev/zero'" --closure=/dev/zero -- "$busybox" true
bad "closure that is /dev/tty-like (/dev/ptmx)" "'/dev/ptmx'" --closure=/dev/ptmx -- "$busybox" true
if [ -S "$F/sock" ]; then
	bad "closure that is a socket" "'$F/sock'" --closure="$F/sock" -- "$busybox" true
else
	skip "closure that is a socket" "python3 could not make one"
fi
bad "closure line that is relative" "'relative/path'" --closure="$F/relative" -- "$busybox" true
bad "closure line outside the store" "'/usr/lib'" --closure="$F/outside" -- "$busybox" true
bad "closure line nested in a store path" "'$tools/sub'" --closure="$F/nested" -- "$busybox" true
bad "closure line '..'" "'/nix/store/..'" --closure="$F/dotdot" -- "$busybox" true
bad "closure with a duplicate line" "twice" --closure="$F/dup" -- "$busybox" true
bad "closure naming a missing store path" "00000000000000000000000000000000-missing" --closure="$F/missing" -- "$busybox" true
bad "closure line with a control character: escaped" "'$tools\x01x'" --closure="$F/control" -- "$busybox" true
bad "closure line with terminal sequences and a CR: escaped" "'\x1b]0;owned\x07\x1b[2J$tools\r'" \
	--closure="$F/terminal" -- "$busybox" true
bad "empty closure" "$F/empty" --closure="$F/empty" -- "$busybox" true
bad "closure with an empty line" "line 2 of $F/blank" --closure="$F/blank" -- "$busybox" true
bad "closure that is a binary (NUL bytes)" "'$F/binary'" --closure="$F/binary" -- "$busybox" true
bad "closure that is a binary without NULs: its line escaped" "'\x7fELF\x01\x02\x1b[31m'" \
	--closure="$F/binary-no-nul" -- "$busybox" true
bad "--store-path that is not a store path" "'/usr'" --store-path=/usr -- "$busybox" true
bad "--store-path with a newline: escaped" "'/nix/store/x\ny'" --store-path=$'/nix/store/x\ny' -- "$busybox" true
if command -v nix-store >/dev/null; then
	bad "--store-path Nix does not know: nix-store's complaint in our one line" \
		"00000000000000000000000000000000-gone" \
		--store-path=/nix/store/00000000000000000000000000000000-gone -- "$busybox" true
else
	skip "--store-path Nix does not know" "nix-store is not installed"
fi

# --- binds and tmpfs ---
bad "bind source relative" "'relative'" --bind=relative "${run[@]}"
bad "bind source that does not exist" "'/nonexistent-src'" --bind=/nonexistent-src:/x "${run[@]}"
bad "bind with an unknown option" "'/tmp:/x:bogus'" --bind=/tmp:/x:bogus "${run[@]}"
bad "bind with four fields" "'/tmp:/x:idmap:y'" --bind=/tmp:/x:idmap:y "${run[@]}"
bad "bind destination relative" "'/tmp:x'" --bind=/tmp:x "${run[@]}"
bad "bind over the store" "'/nix/store/x'" --bind=/tmp:/nix/store/x "${run[@]}"
bad "bind over /nix (hiding the store)" "'/nix'" --bind=/tmp:/nix "${run[@]}"
bad "bind with '..'" "'/tmp/../etc'" --bind-ro=/tmp/../etc "${run[@]}"
bad "bind onto /" "'/tmp:/'" --bind=/tmp:/ "${run[@]}"
bad "bind with a newline: escaped" "'/tmp\n:/x'" --bind=$'/tmp\n:/x' "${run[@]}"
bad "idmap bind without a user namespace" "'/tmp'" --private-users=no --bind=/tmp:/x:idmap "${run[@]}"
bad "foreign bind without a user namespace" "'/tmp'" --private-users=no --bind=/tmp:/x:foreign "${run[@]}"
bad "--chown-foreign of the host's root" "'/'" --chown-foreign=/
bad "--chown-foreign relative" "'rel'" --chown-foreign=rel
bad "--chown-foreign missing" "'$T/nope'" --chown-foreign="$T/nope"
bad "--chown-foreign of a file" "'$F/regular'" --chown-foreign="$F/regular"
bad "tmpfs relative" "'rel'" --tmpfs=rel "${run[@]}"
bad "tmpfs with a bad mode" "'/x:999'" --tmpfs=/x:999 "${run[@]}"
bad "tmpfs with mode bits past 07777" "'/x:17777'" --tmpfs=/x:17777 "${run[@]}"
bad "tmpfs on /" "'/'" --tmpfs=/ "${run[@]}"
bad "tmpfs over /nix" "'/nix'" --tmpfs=/nix "${run[@]}"

# --- networking ---
bad "--network-zone with '_'" "'bad_zone'" --network-zone=bad_zone "${run[@]}"
bad "--network-zone with a dot" "'a.b'" --network-zone=a.b "${run[@]}"
bad "--network-macvlan name too long" "'toolongifname1234'" --network-macvlan=toolongifname1234 "${run[@]}"
bad "--network-interface with '/'" "'a/b'" --network-interface=a/b "${run[@]}"
bad "--network-namespace-path relative" "'netns'" --network-namespace-path=netns "${run[@]}"
bad "--network-namespace-path a FIFO: refused, not waited on" "'$F/fifo'" --network-namespace-path="$F/fifo" "${run[@]}"
bad "--network-namespace-path a directory" "'$F/dir'" --network-namespace-path="$F/dir" "${run[@]}"
bad "--network-namespace-path a plain file" "'$F/regular'" --network-namespace-path="$F/regular" "${run[@]}"
bad "--network-namespace-path another kind of namespace" "'/proc/self/ns/uts'" \
	--network-namespace-path=/proc/self/ns/uts "${run[@]}"
bad "--network-namespace-path with --private-network" "'/proc/self/ns/net'" \
	--network-namespace-path=/proc/self/ns/net --private-network "${run[@]}"
bad "--network-namespace-export without a namespace of its own" "'/run/netns/x$id'" \
	--network-namespace-export=/run/netns/x$id "${run[@]}"
bad "--network-namespace-export relative" "'netns'" --private-network --network-namespace-export=netns "${run[@]}"
bad "--network-veth-host-config without -n" "'$F/regular'" --network-veth-host-config="$F/regular" "${run[@]}"
bad "--network-veth-host-config a FIFO: refused, not waited on" "'$F/fifo'" -n --network-veth-host-config="$F/fifo" "${run[@]}"
bad "--network-veth-container-config a FIFO" "'$F/fifo'" -n --network-veth-container-config="$F/fifo" "${run[@]}"
bad "--network-veth-container-config a directory" "'$F/dir'" -n --network-veth-container-config="$F/dir" "${run[@]}"
bad "--network-veth-host-config a device" "'/dev/zero'" -n --network-veth-host-config=/dev/zero "${run[@]}"
bad "--network-veth-host-config missing" "'$T/nope'" -n --network-veth-host-config="$T/nope" "${run[@]}"
bad "network fragment with a terminal sequence in a value" "$F/ini-control" -n --network-veth-host-config="$F/ini-control" "${run[@]}"
bad "network fragment with an unknown section" "Bogus" -n --network-veth-container-config="$F/ini-section" "${run[@]}"
bad "network fragment with a key outside any section" "$F/ini-nosection" -n --network-veth-host-config="$F/ini-nosection" "${run[@]}"
bad "network fragment with a line without '='" "$F/ini-noequals" -n --network-veth-host-config="$F/ini-noequals" "${run[@]}"

# --- credentials ---
bad "--set-credential without ':'" "'novalue'" --set-credential=novalue "${run[@]}"
bad "--set-credential ID with '/'" "'a/b'" --set-credential=a/b:x "${run[@]}"
bad "--set-credential ID '..'" "'..'" --set-credential=..:x "${run[@]}"
bad "--set-credential given twice" "'a'" --set-credential=a:x --set-credential=a:y "${run[@]}"
bad "--load-credential relative path" "'a'" --load-credential=a:relative "${run[@]}"
bad "--load-credential a FIFO: refused, not waited on" "'$F/fifo'" --load-credential=a:"$F/fifo" "${run[@]}"
bad "--load-credential a device" "'/dev/zero'" --load-credential=a:/dev/zero "${run[@]}"
bad "--load-credential a directory" "'$F/dir'" --load-credential=a:"$F/dir" "${run[@]}"
bad "--load-credential missing" "'$T/nope'" --load-credential=a:"$T/nope" "${run[@]}"

# --- values only the container can refuse (these get as far as a container: the leftover check matters most) ---
bad "a command that does not exist in the container" "'/no/such/init'" -q -P "${c[@]}" -- /no/such/init
bad "an --init that does not exist" "'/nix/store/00000000000000000000000000000000-x/init'" -q -P "${c[@]}" \
	--init=/nix/store/00000000000000000000000000000000-x/init
bad "a bind onto a path through a file" "'/tmp'" -q -P "${c[@]}" --bind-ro="$busybox:/f" --bind-ro=/tmp:/f/sub -- "$busybox" true
mkdir -p "$T/emptydir"
bad "a read-only bind over /dev, with a veth (links made meanwhile go too)" "Read-only file system" -q -P -n "${c[@]}" \
	--bind-ro="$T/emptydir:/dev" -- "$busybox" true

echo "# corpus: $n_case bad inputs, $((total_ms / n_case)) ms mean, $max_ms ms max to exit; over 1 s:${slow:- none}"
check_count=$n_case
[ "$check_count" -ge 80 ]; _report $? "the corpus holds at least 80 bad inputs ($check_count)"
