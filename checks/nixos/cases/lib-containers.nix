# nixos/lib.nix (containers of a project flake on a host without NixOS), evaluated inside nixos-eval: its results
# are written to /etc so that the checks can read them.
{ lib, pkgs, ... }:
let
  containers = (import ../../../nixos/lib.nix { inherit lib; }).mkContainers {
    inherit pkgs;
    containers.db = {
      config = { services.postgresql.enable = true; };
      binds."/var/lib/postgresql".hostPath = "/srv/db";
      network.veth.config.container.networkConfig.DHCP = false;
    };
  };
  db = containers.db;
in
{
  environment.etc."lib-test/toplevel".text = toString db.toplevel;
  environment.etc."lib-test/closure".text = db.closure;
  environment.etc."lib-test/args".text = lib.concatStringsSep "\n" db.args;
  environment.etc."lib-test/db-up".text = db.up.text or "";
  environment.etc."lib-test/db-down".text = db.down.text or "";
  environment.etc."lib-test/db-shell".text = db.shell.text or "";
  environment.etc."lib-test/runner".text = db.runner.name;
  environment.etc."lib-test/apps".text = lib.concatStringsSep " " (lib.mapAttrsToList (n: a: "${n}=${a.type}:${a.program}") db.apps);
  environment.etc."lib-test/check".text = db.check.name;
}
