#!/bin/bash
# Always ephemeral, and the container interface systemd expects.
. "$(dirname "$0")/lib.sh"
need_root
rf1=$(mname rf1) rf2=$(mname rf2) rf3=$(mname rf3)
fixture tools

fstype=$(run "$rf1" -- stat -f -c %T /)
assert_eq "/ is a tmpfs" "$fstype" "tmpfs"
ok "files can be written to / and /var/lib" run "$rf1" -- sh -c 'echo x > /persist && mkdir -p /var/lib && echo y > /var/lib/state'
out=$(run "$rf1" -- sh -c 'for f in /persist /var/lib/state; do test -e $f && echo "$f is there"; done; echo ran')
assert_eq "a file written in one run is gone in the next" "$out" "ran"

assert_eq "the hostname is the machine name" "$(run "$rf1" -- hostname)" "$rf1"
assert_eq "--hostname sets another one" "$(run "$rf1" --hostname=other -- hostname)" "other"

out=$(run "$rf1" --private-network -- sh -c 'touch /sys/x 2>&1; { echo 1 > /proc/sys/kernel/domainname; } 2>&1; echo 1 > /proc/sys/net/ipv4/ip_forward && echo net-ok')
assert_match "/sys is read-only" "$out" "/sys/x: Read-only file system"
assert_match "/proc/sys is read-only" "$out" "domainname: .*Read-only file system"
assert_match "/proc/sys/net is writable with a private network" "$out" "net-ok"

devs=$(run "$rf1" -- ls /dev | tr '\n' ' ')
assert_eq "the /dev node list" "$devs" "console core fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero "
out=$(run "$rf1" -- sh -c 'echo hi > /dev/null && head -c4 /dev/zero | wc -c && stat -c %t:%T /dev/pts/ptmx')
assert_eq "device nodes work" "$out" "4
5:2"

env=$(run "$rf1" --uuid=0123456789abcdef0123456789abcdef -- env | sort | tr '\n' ' ')
assert_match "PID 1 gets container=systemd-nspawn (its interface, for ConditionVirtualization=)" "$env" \
	"container=systemd-nspawn "
assert_match "PID 1 gets container_uuid, dashed as systemd-nspawn passes it" "$env" \
	"container_uuid=01234567-89ab-cdef-0123-456789abcdef "
assert_eq "/run/host/container-uuid holds the same UUID, dashed, newline-terminated (CONTAINER_INTERFACE.md)" \
	"$(run "$rf1" --uuid=0123456789ABCDEF0123456789ABCDEF -- od -An -c /run/host/container-uuid | tr -d ' \n')" \
	"01234567-89ab-cdef-0123-456789abcdef\\n"
assert_match "PID 1 gets NOTIFY_SOCKET" "$env" "NOTIFY_SOCKET=/run/host/notify"
assert_match "PID 1 gets container_host_id" "$env" "container_host_id="
out=$(run "$rf1" -- sh -c 'cat /run/host/container-manager; ls /run/host/inaccessible | tr "\n" " "; touch /run/host/x 2>&1')
assert_match "/run/host has container-manager, inaccessible nodes and is read-only" "$out" \
	"^systemd-nspawn.blk chr dir fifo reg sock .*Read-only"
assert_eq "/proc/kallsyms is masked (reads as empty)" "$(run "$rf1" -- sh -c 'wc -c < /proc/kallsyms')" "0"
ok "/proc/kallsyms has content on the host" test -n "$(head -c1 /proc/kallsyms)"
assert_eq "the login UID is reset" "$(run "$rf1" -- cat /proc/self/loginuid)" "4294967295"
out=$(run "$rf1" -- sh -c "grep ' /sys/fs/cgroup ' /proc/self/mountinfo | cut -d' ' -f6,9")
assert_eq "cgroup2 is mounted read-write at /sys/fs/cgroup" "$out" "rw,nosuid,nodev,noexec,relatime cgroup2"
assert_eq "the container is in the root of its cgroup namespace" "$(run "$rf1" -- grep '^0::' /proc/self/cgroup)" "0::/"
out=$(run "$rf1" -- sh -c 'mkdir /sys/fs/cgroup/child && echo $$ > /sys/fs/cgroup/child/cgroup.procs && echo delegated')
assert_eq "its cgroup is delegated to it" "$out" "delegated"

# -D: the image is the read-only lower layer; writes land in tmpfs.
img=$T/image
mkdir -p "$img/etc" "$img/nix/store/fake"
echo image > "$img/etc/marker"
out=$(run "$rf2" -D "$img" -- sh -c 'cat /etc/marker; echo changed > /etc/marker; cat /etc/marker; ls /nix/store | grep -c fake')
assert_eq "-D: the image is visible and writable in an overlay" "$out" "image
changed
0"
assert_eq "-D: the image itself is untouched" "$(cat "$img/etc/marker")" "image"
assert_eq "-D: files of the image are owned by root inside" "$(run "$rf2" -D "$img" -- stat -c %u /etc/marker)" "0"

ok "nothing is left behind" leftovers "$rf1"
ok "nothing of rf2 is left behind" leftovers "$rf2"

out=$(run "$rf3" -- sh -c 'test -e /proc/self/fd/7 && echo leaked || echo closed' 7</)
assert_eq "an fd the launcher inherits does not reach the container" "$out" "closed"
ok "nothing of rf3 is left behind" leftovers "$rf3"
