# Sourced by checks/nixos/run.sh and its case scripts: the integration tests' TAP helpers, plus nixos-eval.
# shellcheck shell=bash
. "$(dirname "${BASH_SOURCE[0]}")/../integration/lib.sh"

NIXOS_EVAL=${NIXOS_EVAL:-$TOP/../shared/nixos-eval}

# Whole-file skip when the tools are absent (counted by the runner).
nixos_need() {
	command -v nix-instantiate >/dev/null || { echo "1..0 # SKIP nix-instantiate is absent (apt-get install nix-bin)"; trap - EXIT; rm -rf "$T"; exit 0; }
	[ -x "$NIXOS_EVAL/eval.sh" ] || { echo "1..0 # SKIP nixos-eval is absent ($NIXOS_EVAL)"; trap - EXIT; rm -rf "$T"; exit 0; }
	# Debian's nix-bin warns about a missing nixbld group on every call; nothing here builds
	export NIX_CONFIG="build-users-group ="
}

nixos_eval_summary() { "$NIXOS_EVAL/eval.sh" "$@" >/dev/null; }

# render NAME CASE.nix: the files NixOS would write for host.nix + CASE, below $T/NAME ($out); stderr in $T/NAME.err
render() {
	out=$T/$1
	rm -rf "$out"
	OUTPUT=units OUT_DIR=$out NIXOS_EVAL_PACKAGE_UNITS="nixos-nspawn@.service systemd-nspawn@.service" \
		"$NIXOS_EVAL/eval.sh" "$TOP/nixos/host.nix" "$2" >"$T/$1.list" 2>"$T/$1.err"
}
# summary NAME CASE.nix JQ: a value of the JSON summary
summary() { "$NIXOS_EVAL/eval.sh" "$TOP/nixos/host.nix" "$2" 2>/dev/null | jq -c "$3"; }

# launcher_args DIR NAME: the NIXOS_NSPAWN_ARGS of container NAME, one per line
launcher_args() { sed -n 's/^NIXOS_NSPAWN_ARGS="\(.*\)"$/\1/p' "$1/etc/nixos-nspawn/$2.conf" | tr ' ' '\n'; }
# arg_value DIR NAME FLAG: the value of --FLAG=VALUE (first)
arg_value() { launcher_args "$1" "$2" | sed -n "s/^$3=//p" | head -n 1; }
# in_store DIR PATH: PATH (a /nix/store path nixos-eval rendered) as a file below DIR
in_store() { echo "$1$2"; }
# unit_dropin DIR UNIT: the text of UNIT's drop-in
unit_dropin() { cat "$1/etc/systemd/system/$2.d/overrides.conf"; }
# key_of TEXT KEY: the values of KEY= in a unit text, one per line
key_of() { sed -n "s/^$2=//p" <<<"$1"; }
