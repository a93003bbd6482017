# A host with incus: nixpkgs' nixos/modules/virtualisation/incus.nix sets
# `boot.kernel.sysctl."fs.inotify.max_user_instances" = lib.mkOverride 1050 1048576;` (priority 1050, weaker than
# mkDefault on purpose). Stand-in for that definition (nixos-eval does not load the module), plus a container.
{ lib, ... }:
{
  boot.kernel.sysctl."fs.inotify.max_user_instances" = lib.mkOverride 1050 1048576;
  nixos-nspawn.containers.web.config = { };
}
