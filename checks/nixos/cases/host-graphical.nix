# A host with a desktop: nixpkgs' nixos/modules/services/misc/graphical-desktop.nix (every host with X or a display
# manager) sets `boot.kernel.sysctl."fs.inotify.max_user_instances" = lib.mkDefault 524288;` (priority 1000).
# Stand-in for that definition (nixos-eval does not load the module), plus a container.
{ lib, ... }:
{
  boot.kernel.sysctl."fs.inotify.max_user_instances" = lib.mkDefault 524288;
  nixos-nspawn.containers.web.config = { };
}
