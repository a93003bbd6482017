# The original nixos-nspawn README's first example: a plain container with htop.
{
  nixos-nspawn.containers.mycontainer.config =
    { pkgs, ... }:
    {
      environment.systemPackages = [ pkgs.htop ];
    };
}
