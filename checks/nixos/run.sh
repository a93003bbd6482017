#!/bin/bash
# The NixOS face, checked without NixOS: every .nix file parses; each example configuration in cases/ evaluates
# with nixos-eval (nixpkgs' real lib and NixOS's real option declarations, ../shared/nixos-eval or $NIXOS_EVAL)
# and renders the units, settings files and closures claimed below; each bad configuration in bad/ fails with the
# assertion message its first line names (`# expect: TEXT`).
#
#   checks/nixos/run.sh          TAP on stdout; exit 1 on any failure
. "$(dirname "$0")/lib.sh"

nixos_need

# --- every .nix file parses ---
while IFS= read -r f; do
	ok "parses: ${f#"$TOP"/}" nix-instantiate --parse "$f"
done < <(find "$TOP/nixos" "$TOP/checks/nixos" "$TOP/checks/fixtures" "$TOP/flake.nix" -name '*.nix' | sort)

# --- the guest module alone: strict (unknown options are errors there) ---
ok "the guest module evaluates alone" nixos_eval_summary "$TOP/nixos/container.nix"

# --- docs/nixos.md: every option documented with a description and an example, and the reference current ---
lib=$NIXOS_EVAL/nixpkgs/lib
undocumented=$(nix-instantiate --eval --strict --json --arg lib "import $lib" -E '{ lib }:
	let
	  eval = lib.evalModules { modules = [ (import '"$TOP"'/nixos/options.nix { inherit lib; pkgs = { }; networkType = lib.types.attrs; }) ]; };
	  opts = builtins.filter (o: lib.hasPrefix "nixos-nspawn." o.name && o.visible && !o.internal) (lib.optionAttrSetToDocList eval.options);
	in map (o: o.name) (builtins.filter (o: !(o ? example) || (o.description or "") == "") opts)' 2>&1)
assert_eq "every option has a description and an example" "$undocumented" "[]"
ok "docs/nixos.md's option reference is current (nixos/doc/render.sh --check)" env NIXOS_EVAL="$NIXOS_EVAL" "$TOP/nixos/doc/render.sh" --check

# --- the flake's outputs (nixos-eval's lib and fake pkgs stand in for nixpkgs) ---
out=$(nix-instantiate --eval --strict --json "$TOP/checks/nixos/flake-outputs.nix" --arg nixosEval "$NIXOS_EVAL" 2>&1)
assert_eq "flake: packages.{x86_64,aarch64}-linux.default, overlays.default, nixosModules.{default,host,container}, lib.mkContainers, checks" \
	"$(jq -c '[.packages["x86_64-linux"].default, .packages["aarch64-linux"].default, .overlay, .nixosModules, .lib, .checks["x86_64-linux"]]' <<<"$out" 2>&1)" \
	'["nixos-nspawn-0.1","nixos-nspawn-0.1","nixos-nspawn-0.1",{"container":"container.nix","default":"host.nix","host":"host.nix"},["mkContainers"],["overlaystore","package","proxy","service","simple","static","web"]]'

for t in "$TOP"/checks/nixos/cases/[0-9]*.sh; do
	# shellcheck source=/dev/null
	. "$t"
done

# --- bad configurations ---
for f in "$TOP"/checks/nixos/bad/*.nix; do
	want=$(sed -n '1s/^# expect: //p' "$f")
	[ -n "$want" ] || { _report 1 "bad/${f##*/} names its expected message" "no '# expect: ' first line"; continue; }
	out=$("$NIXOS_EVAL/eval.sh" "$TOP/nixos/host.nix" "$f" 2>&1); rc=$?
	if [ "$rc" = 0 ]; then
		# evaluates: then the launcher's check (a NixOS build's system.checks) must refuse it
		d=$T/bad-${f##*/}
		OUTPUT=units OUT_DIR=$d "$NIXOS_EVAL/eval.sh" "$TOP/nixos/host.nix" "$f" >/dev/null 2>&1
		out=$(launcher_check "$d" 2>&1); rc=$?
	fi
	[ "$rc" = 1 ] && grep -qF -- "$want" <<<"$out"
	_report $? "bad/${f##*/} fails: $want" "exit $rc, output:
$(grep -v '^note:' <<<"$out" | tail -n 8 | cut -c1-300)"
done
exit $((_failed > 0))
