# nixos-nspawn.imports reach every container that uses `config`; specialArgs reach its modules.
{
  nixos-nspawn.imports = [ { environment.etc."motd".text = "an ephemeral nixos-nspawn container"; } ];
  nixos-nspawn.containers.one.config = { };
  nixos-nspawn.containers.two = {
    specialArgs.site = "lab-7";
    config = { site, ... }: { environment.etc."site".text = site; };
  };
}
