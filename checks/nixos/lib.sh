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

# launcher_check DIR: every container rendered below DIR through nixos/check.sh with the launcher just built, the
# check a NixOS system's build runs (system.checks, host.nix): its NIXOS_NSPAWN_ARGS, the override fragments read
# from DIR. The launcher's refusals on stderr; 1 when any container is refused, 2 without a built launcher.
launcher_check() {
	local conf name rc=0
	[ -x "$NSPAWN" ] || { echo "no launcher at $NSPAWN (make all)" >&2; return 2; }
	for conf in "$1"/etc/nixos-nspawn/*.conf; do
		[ -e "$conf" ] || continue
		name=${conf##*/} name=${name%.conf}
		# shellcheck disable=SC2046 # split as systemd splits $NIXOS_NSPAWN_ARGS
		sh "$TOP/nixos/check.sh" "$NSPAWN" "$name" $(sed -n 's/^NIXOS_NSPAWN_ARGS="\(.*\)"$/\1/p' "$conf" |
			sed "s|/etc/nixos-nspawn/|$1/etc/nixos-nspawn/|g") || rc=1
	done
	return $rc
}

# render NAME CASE.nix: the files NixOS would write for host.nix + CASE, below $T/NAME ($out); stderr in $T/NAME.err.
# Every container rendered is also checked by the launcher (what a NixOS build's system.checks does).
render() {
	local rc msg
	out=$T/$1
	rm -rf "$out"
	OUTPUT=units OUT_DIR=$out NIXOS_EVAL_PACKAGE_UNITS="nixos-nspawn@.service systemd-nspawn@.service" \
		"$NIXOS_EVAL/eval.sh" "$TOP/nixos/host.nix" "$2" >"$T/$1.list" 2>"$T/$1.err"
	rc=$?
	if [ "$rc" = 0 ] && ls "$out"/etc/nixos-nspawn/*.conf >/dev/null 2>&1; then
		msg=$(launcher_check "$out" 2>&1)
		case $? in
		0) _report 0 "$1: the launcher accepts every container (nixos-nspawn --check, as system.checks)" ;;
		2) skip "$1: the launcher's check" "$msg" ;;
		*) _report 1 "$1: the launcher accepts every container (nixos-nspawn --check, as system.checks)" "$msg" ;;
		esac
	fi
	return $rc
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
