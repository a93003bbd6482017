#!/bin/bash
# `make demo`: boots the built-in example — a Debian userland put into the Nix store as a closure with an `init`
# store path, the stand-in for a NixOS toplevel — ephemeral, with a private network, and reports on it.
set -euo pipefail
cd "$(dirname "$0")/.."

[ "$(id -u)" = 0 ] || { echo "make demo needs root: sudo make demo" >&2; exit 1; }
name=demo
nspawn=$PWD/build/nixos-nspawn
tmp=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT

echo "Preparing the example closure (cached after the first run)..."
eval "$(bash checks/fixtures/nix-closures.sh boot | grep -E '^(init|closure|paths)=')"

echo "Booting $name: $nspawn -M $name --closure=$closure --init=$init --private-network"
build/helpers/nsnotify --ready-file="$tmp/ready" --timeout=120 -- \
	"$nspawn" -M "$name" --closure="$closure" --init="$init" --private-network --console=passive \
	2>"$tmp/log" &
pid=$!
while [ ! -s "$tmp/ready" ]; do
	kill -0 "$pid" 2>/dev/null || { cat "$tmp/log" >&2; echo "The container did not start." >&2; exit 1; }
	sleep 0.05
done
read -r secs leader <"$tmp/ready"
inside() { nsenter -t "$leader" -a -r -w "$@"; }
state=$(inside systemctl is-system-running --wait || true)
read -r _ base size <"/proc/$leader/uid_map"
mounted=$(inside sh -c 'ls /nix/store | wc -l')

cat <<EOF2

  machine name        $name
  UID range           $base..$((base + size - 1)) (root inside is UID $base outside)
  store paths mounted $mounted of $paths in the closure (the host's store has $(ls /nix/store | wc -l))
  READY=1 after       ${secs} s
  is-system-running   $state

EOF2

echo "Powering off..."
kill -TERM "$pid"
wait "$pid" && rc=0 || rc=$?
echo "The launcher exited with status $rc."
cat <<EOF2

For a shell, boot it in the foreground and log in as root (no password); ^] three times kills it:
  sudo $nspawn -M $name --closure=$closure --init=$init --private-network
or, while it runs, enter it from another terminal (PID 1 is the first process of its init.scope):
  sudo nsenter -t \$(head -n1 $(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)/nixos-nspawn/$name/payload/init.scope/cgroup.procs) -a -r -w /bin/bash
EOF2
