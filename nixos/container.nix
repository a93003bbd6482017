# The guest module: what every nixos-nspawn container's NixOS configuration gets. The launcher has already
# mounted /nix/store (the closure, read-only, idmapped so it looks root-owned), /run, /tmp, /dev, /proc and /sys,
# and writes the networkd unit for host0 and a resolved drop-in enabling mDNS into the container's /run.
{ config, lib, ... }:
let
  inherit (lib) mkDefault;
in
{
  boot.isContainer = true;

  # networkd configures host0 from the unit the launcher writes; resolved answers and asks NAME.local (mDNS).
  networking.useNetworkd = mkDefault true;
  networking.useDHCP = mkDefault false;
  systemd.network.enable = mkDefault true;
  services.resolved.enable = mkDefault true;
  # NixOS defaults this to true in containers: resolv.conf would be a copy of the host's, which the launcher
  # does not provide; resolved's stub is used instead.
  networking.useHostResolvConf = mkDefault false;
  networking.firewall.interfaces.host0.allowedUDPPorts = [ 5353 ];

  # The store is the closure, read-only: no nix-daemon (and no host daemon socket) unless asked for.
  nix.enable = mkDefault false;

  # Locked, not empty: `machinectl shell NAME` (through machined, as root of the host) is the way in.
  users.users.root.hashedPassword = mkDefault "!";
}
