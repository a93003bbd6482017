# The test scripts of vm-tests.nix, with nixos-eval's lib and fake pkgs and a runNixOSTest that returns its
# arguments: checks/nixos/run.sh compiles each script with Python (the VMs themselves cannot run here).
#   nix-instantiate --eval --strict --json checks/nixos/vm-scripts.nix --arg nixosEval PATH
{ nixosEval }:
let
  ctx = import (nixosEval + "/harness/context.nix") {
    scanFiles = [ ./vm-tests.nix ./vm-nodes.nix ../../nixos/package.nix ];
  };
  pkgs = ctx.pkgs // { testers.runNixOSTest = test: test; };
in
builtins.mapAttrs (_: t: { inherit (t) name testScript; }) (import ./vm-tests.nix { inherit pkgs; })
