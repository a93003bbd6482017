# A module shared between hosts and containers that carries what nixos-generate-config writes into
# hardware-configuration.nix: `nixpkgs.hostPlatform = lib.mkDefault "x86_64-linux";` and
# `networking.useDHCP = lib.mkDefault true;` (priority 1000). The host module gives each container the host's
# platform, and the guest module useDHCP = false, as defaults of their own, which must yield to these.
# nixos-eval does not load nixpkgs' nixos/modules/misc/nixpkgs.nix: `nixpkgs.hostPlatform` is declared here as
# it declares it (either str attrs; no default; its `apply = lib.systems.elaborate` left out), and the container
# reads it back into /etc/platform, so that the value is evaluated.
{ lib, ... }:
let
  nixpkgsOption = { lib, ... }: {
    options.nixpkgs.hostPlatform = lib.mkOption { type = lib.types.either lib.types.str lib.types.attrs; };
  };
  shared = {
    nixpkgs.hostPlatform = lib.mkDefault "x86_64-linux";
    networking.useDHCP = lib.mkDefault true;
  };
in
{
  nixos-nspawn.imports = [ nixpkgsOption shared ];
  nixos-nspawn.containers.gen.config = { config, ... }: {
    environment.etc.platform.text = let p = config.nixpkgs.hostPlatform; in if builtins.isString p then p else "attrs:${p.system or "?"}";
  };
}
