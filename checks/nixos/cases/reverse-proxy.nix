# The original nixos-nspawn README's second example: nginx on the host as a reverse proxy to a container's nginx.
{ lib, ... }:
{
  # nixos-eval does not load NixOS's nginx module on the host (it does accept it, unchecked, inside containers):
  # a loose declaration stands in, so that the host half of the example evaluates as written.
  options.services.nginx = lib.mkOption { type = lib.types.attrsOf lib.types.anything; default = { }; };

  config = {
    services.nginx = {
      enable = true;
      recommendedProxySettings = true;
      virtualHosts."_".locations."/".proxyPass = "http://backend.local";
    };
    # nginx resolves the upstream when it starts: after the container is ready
    systemd.services.nginx = {
      wants = [ "nixos-nspawn@backend.service" ];
      after = [ "nixos-nspawn@backend.service" ];
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
