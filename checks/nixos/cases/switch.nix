# Live update when only the toplevel changed; a prebuilt path with a closure file; a plain store path.
{
  nixos-nspawn.containers.live = {
    config = { environment.etc."motd".text = "generation 1"; };
    activation.strategy = "switch";
  };
  nixos-nspawn.containers.pre = {
    path = "/nix/store/00000000000000000000000000000000-nixos-system-pre-25.05";
    closureFile = "/var/lib/deploy/pre.closure";
  };
  nixos-nspawn.containers.bare = {
    path = "/nix/store/11111111111111111111111111111111-nixos-system-bare-25.05";
  };
}
