#!/bin/sh
# The one installer of the Debian packages this project needs: installs those of the named groups that are missing.
#   checks/deps.sh [GROUP...]       (default: check)
#     build   compiling the launcher and the unit tests
#     check   build, plus what the tests, the fixtures, the fuzzers and the demo use (make check, make demo)
#     bench   build, plus what make bench compares against and measures with
# A package marked "?" is optional: when it cannot be had, the group still works (with less); every other one
# that stays missing is an error. Not root, or not Debian/Ubuntu: prints the command to run instead.
set -eu

group() {
	case $1 in
	build) echo "build-essential pkg-config libsystemd-dev libmount-dev libseccomp-dev libnftables-dev" ;;
	# clang and libclang-rt-*-dev: libFuzzer; llvm: the symbolizer for the fuzzers' reports
	check) echo "$(group build) nix-bin busybox-static debootstrap iproute2 util-linux strace systemd-container jq python3 nftables
	             clang libclang-rt-14-dev? llvm?" ;;
	bench) echo "$(group build) python3 procps iproute2 util-linux strace systemd-container bubblewrap hyperfine
	             linux-perf?" ;;
	*) echo "deps.sh: unknown group '$1' (build, check, bench)" >&2; return 1 ;;
	esac
}

[ $# -gt 0 ] || set -- check
wanted=""
for g in "$@"; do
	wanted="$wanted $(group "$g")" || exit 1
done

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

missing="" optional=""
for p in $wanted; do
	name=${p%"?"}
	case " $missing $optional " in *" $name "*) continue ;; esac
	installed "$name" && continue
	if [ "$name" != "$p" ]; then optional="$optional $name"; else missing="$missing $name"; fi
done
[ -z "$missing$optional" ] && exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
	echo "Missing packages:$missing${optional:+ (optional:$optional)}" >&2
	echo "Install them with: sudo apt-get install -y$missing$optional" >&2
	[ -z "$missing" ]
	exit
fi

echo "Installing missing packages:$missing$optional" >&2
export DEBIAN_FRONTEND=noninteractive
# Only refresh the index when it is missing or stale (a day), so repeated runs stay fast.
if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null | head -n 1)" ]; then
	apt-get update -qq || echo "apt-get update failed; trying with the index there is" >&2
fi
# All at once; when that fails, one at a time, so that one package that cannot be had keeps no other out.
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing $optional >/dev/null 2>&1 && exit 0
failed=""
for p in $missing $optional; do
	apt-get install -y -qq --no-install-recommends "$p" >/dev/null 2>&1 && continue
	case " $optional " in
	*" $p "*) echo "Could not install $p (optional: going on without it)" >&2 ;;
	*) failed="$failed $p" ;;
	esac
done
[ -z "$failed" ] || { echo "Could not install:$failed" >&2; exit 1; }
