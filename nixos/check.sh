#!/bin/sh
# check.sh LAUNCHER NAME ARGS...: the launcher's own verdict on container NAME's arguments, before anything
# starts: `nixos-nspawn --check`, which refuses what a start would refuse (option names, capabilities, system call
# names and groups, tmpfs options, bind syntax, credential IDs, network override files) without looking at the
# host. Run by the NixOS module at build time (a derivation in system.checks: `nixos-rebuild build` fails with this
# message) and by `make check-nixos` with the launcher just built, on every rendered case: one rule, in the launcher.
launcher=$1 name=$2
shift 2
if ! out=$("$launcher" --check --machine="$name" "$@" 2>&1); then
	printf 'nixos-nspawn.containers.%s: the launcher refuses its settings: %s\n' "$name" "$out" >&2
	exit 1
fi
