# shellcheck shell=bash
# One set of rules: the launcher decides, the module asks it (issue 18).

# --- the system's build depends on one launcher check per container (system.checks, NixOS 23.05+; nixos-eval has
# no such option, so this case declares it as NixOS does)
cat >"$T/checks.nix" <<'NIX'
{ lib, config, ... }: {
  options.system.checks = lib.mkOption { type = lib.types.listOf lib.types.package; default = [ ]; };
  config = {
    nixos-nspawn.containers.web.config = { };
    nixos-nspawn.containers.db = { config = { }; capabilities.add = [ "CAP_SYS_TIME" ]; };
    environment.etc."system-checks".text = lib.concatMapStringsSep "\n" (d: d.name) config.system.checks;
  };
}
NIX
render checks "$T/checks.nix"
assert_eq "system.checks holds one launcher check per container" "$(sort "$out/etc/system-checks" 2>&1)" \
	"nixos-nspawn-check-db
nixos-nspawn-check-web"
