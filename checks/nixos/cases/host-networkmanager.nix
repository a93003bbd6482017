# A NetworkManager desktop that keeps NetworkManager's own DNS handling (dnsmasq), plus a container.
# nixos-eval loads neither nixpkgs' networkmanager.nix nor resolved.nix's NetworkManager line, so they stand in
# here, as nixpkgs declares and defines them:
#   networkmanager.nix: networking.networkmanager.enable (bool, default false), .dns (enum "default" "dnsmasq"
#     "systemd-resolved" "none", default "default"), .unmanaged (list of str, default [ ]); with enable it sets
#     `networking.useDHCP = false` (plain);
#   resolved.nix: `networking.networkmanager.dns = "systemd-resolved"` (plain) whenever resolved is enabled: with
#     the host's "dnsmasq" below that is a conflict, as on a real NixOS.
{ config, lib, ... }:
let
  inherit (lib) mkIf mkOption types;
in
{
  options.networking.networkmanager = {
    enable = mkOption { type = types.bool; default = false; };
    dns = mkOption { type = types.enum [ "default" "dnsmasq" "systemd-resolved" "none" ]; default = "default"; };
    unmanaged = mkOption { type = types.listOf types.str; default = [ ]; };
  };
  config = lib.mkMerge [
    (mkIf config.networking.networkmanager.enable { networking.useDHCP = false; })
    (mkIf config.services.resolved.enable { networking.networkmanager.dns = "systemd-resolved"; })
    {
      networking.networkmanager.enable = true;
      networking.networkmanager.dns = "dnsmasq";
      nixos-nspawn.containers.web.config = { };
    }
  ];
}
