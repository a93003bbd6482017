#!/bin/sh
# Installs the Debian packages that building, testing and the demo need, and only those that are missing.
# Not root, or not Debian/Ubuntu: prints the command to run instead.
set -eu

packages="build-essential pkg-config libsystemd-dev libmount-dev libseccomp-dev
          nix-bin busybox-static debootstrap iproute2 util-linux strace
          systemd-container bubblewrap hyperfine jq"

missing=""
for p in $packages; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
        echo "Missing packages:$missing" >&2
        echo "Install them with: sudo apt-get install -y$missing" >&2
        exit 1
fi

echo "Installing missing packages:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# Only refresh the index when it is missing or stale (a day), so repeated runs stay fast.
if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null | head -n 1)" ]; then
        apt-get update -qq
fi
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
