# The flake's outputs, evaluated with nixos-eval's lib and fake pkgs standing in for nixpkgs (there is no
# nixpkgs here): what a user of the flake sees, as names and values that need no build.
#   nix-instantiate --eval --strict --json checks/nixos/flake-outputs.nix --arg nixosEval PATH
{ nixosEval }:
let
  ctx = import (nixosEval + "/harness/context.nix") {
    scanFiles = [ ../../flake.nix ../../nixos/package.nix ./vm-tests.nix ./vm-nodes.nix ];
  };
  inherit (ctx) lib pkgs;
  nixpkgs = {
    inherit lib;
    legacyPackages = lib.genAttrs [ "x86_64-linux" "aarch64-linux" ] (_: pkgs);
  };
  flake = (import ../../flake.nix).outputs { self = flake; inherit nixpkgs; };
  overlaid = flake.overlays.default pkgs pkgs;
in
{
  packages = lib.mapAttrs (_: p: lib.mapAttrs (_: d: d.name) p) flake.packages;
  nixosModules = lib.mapAttrs (_: m: if builtins.isPath m then baseNameOf m else builtins.typeOf m) flake.nixosModules;
  overlay = overlaid.nixos-nspawn.name;
  checks = lib.mapAttrs (_: builtins.attrNames) flake.checks;
  lib = builtins.attrNames flake.lib;
}
