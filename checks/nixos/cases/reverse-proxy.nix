# The original nixos-nspawn README's second example: nginx on the host as a reverse proxy to a container's nginx.
{ lib, pkgs, ... }:
{
  # nixos-eval does not load NixOS's nginx module on the host (it does accept it, unchecked, inside containers):
  # a loose declaration stands in, so that the host half of the example evaluates as written.
  options.services.nginx = lib.mkOption { type = lib.types.attrsOf lib.types.anything; default = { }; };

  config = {
    # the host resolves backend.local over mDNS: resolved, asked for
    nixos-nspawn.resolved.enable = true;
    services.nginx = {
      enable = true;
      recommendedProxySettings = true;
      virtualHosts."_".locations."/".proxyPass = "http://backend.local";
    };
    # nginx resolves the upstream when it starts (and fails without it): after the container is ready and its
    # name answers, with a deadline, so that a slow start never runs nginx into its start limit
    systemd.services.backend-name = {
      wants = [ "nixos-nspawn@backend.service" ];
      after = [ "nixos-nspawn@backend.service" ];
      script = "until ${pkgs.systemd}/bin/resolvectl query backend.local; do sleep 1; done";
      serviceConfig = { Type = "oneshot"; RemainAfterExit = true; TimeoutStartSec = "5min"; };
    };
    systemd.services.nginx = {
      requires = [ "backend-name.service" ];
      after = [ "backend-name.service" ];
    };

    nixos-nspawn.containers.backend.config = {
      networking.firewall.allowedTCPPorts = [ 80 ];
      services.nginx = {
        enable = true;
        virtualHosts."backend".locations."/".return = ''200 "hack the planet"'';
      };
    };
  };
}
