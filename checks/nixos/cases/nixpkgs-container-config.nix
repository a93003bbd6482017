# Stand-in for the rest of nixpkgs' nixos/modules/virtualisation/container-config.nix (nixos-eval loads only its
# `networking.useHostResolvConf = mkDefault true`): what it sets, at its priorities, with declarations mirroring
# the nixpkgs modules that declare them (not loaded by nixos-eval):
#   environment.variables.NIX_REMOTE = "daemon"   (plain, 100; shells-environment.nix: attrsOf (nullOr ...),
#                                                  null unsets, apply drops nulls)
#   security.audit.enable = false                 (plain; security/audit.nix: enum [ false true "lock" ])
#   services.udev.enable = false                  (plain; hardware/udev.nix: bool, default true)
{ config, lib, ... }:
let
  inherit (lib) mkIf mkOption types;
in
{
  options = {
    environment.variables = mkOption {
      type = types.attrsOf (types.nullOr (types.oneOf [ (types.listOf (types.oneOf [ types.int types.str types.path ])) types.int types.str types.path ]));
      default = { };
      apply = attrs: lib.mapAttrs (_: v: if lib.isList v then lib.concatMapStringsSep ":" toString v else toString v)
        (lib.filterAttrs (_: v: v != null) attrs);
    };
    security.audit.enable = mkOption { type = types.enum [ false true "lock" ]; default = false; };
    services.udev.enable = mkOption { type = types.bool; default = true; };
  };
  config = mkIf config.boot.isContainer {
    environment.variables.NIX_REMOTE = "daemon";
    security.audit.enable = false;
    services.udev.enable = false;
  };
}
