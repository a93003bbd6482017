#!/bin/bash
# A 64K UID range per container: picked from the pool, stable per name, distinct between containers.
. "$(dirname "$0")/lib.sh"
need_root
us1=$(mname us1) us2=$(mname us2) us3=$(mname us3) us4=$(mname us4) us5=$(mname us5)
fixture tools

map=$(run "$us1" -- cat /proc/self/uid_map | awk '{print $1, $2, $3}')
base=${map#0 }; base=${base% 65536}
assert_match "uid_map is '0 BASE 65536'" "$map" "^0 [0-9]+ 65536$"
ok "BASE is in the pool and 64K-aligned" test "$base" -ge $((0x80000)) -a "$base" -lt $((0x6FFF0000)) -a $((base % 65536)) = 0
gmap=$(run "$us1" -- cat /proc/self/gid_map | awk '{print $1, $2, $3}')
assert_eq "gid_map matches uid_map" "$gmap" "$map"

again=$(run "$us1" -- cat /proc/self/uid_map | awk '{print $2}')
assert_eq "the same name gets the same base again" "$again" "$base"

# Two at once: the second must not get the first one's range.
run_bg "$us1" -- sleep 60
wait_for 20 started "$bg_pid"; _report $? "the first container starts"
second=$(run "$us2" -- cat /proc/self/uid_map | awk '{print $2}')
third=$(run "$us1" -- true 2>&1)
stop_bg
[ -n "$second" ] && [ "$second" != "$base" ]; _report $? "two concurrent containers get different bases" "both got $base"
assert_match "a second container with a running container's name is refused" "$third" "already running"

fixed=$(run "$us3" --private-users=1048576 -- cat /proc/self/uid_map | awk '{print $1, $2, $3}')
assert_eq "--private-users=BASE maps to exactly that base" "$fixed" "0 1048576 65536"

ident=$(run "$us4" --private-users=no -- cat /proc/self/uid_map | awk '{print $1, $2, $3}')
assert_eq "--private-users=no shares the host's user namespace" "$ident" "0 0 4294967295"

mkdir -p /run/systemd/nspawn-uid
lockbase=$(run "$us5" -- cat /proc/self/uid_map | awk '{print $2}')
exec 9>"/run/systemd/nspawn-uid/$lockbase"
flock -n 9
other=$(run "$us5" -- cat /proc/self/uid_map | awk '{print $2}')
exec 9>&-
rm -f "/run/systemd/nspawn-uid/$lockbase"
[ -n "$other" ] && [ "$other" != "$lockbase" ]; _report $? "a range locked by systemd-nspawn is not picked" "got the locked $lockbase"

for n in "$us1" "$us2" "$us3" "$us4" "$us5"; do ok "nothing of $n is left behind" leftovers $n; done
