# The host configurations of the NixOS VM tests (vm-tests.nix), without the VM's own settings, so that
# checks/nixos/run.sh can also evaluate them with nixos-eval. Each is a NixOS module for a host that imports
# nixos/host.nix.
{ lib }:
let
  stateVersion = { system.stateVersion = "25.05"; };
in
{
  # The original README's first example.
  simple = {
    nixos-nspawn.containers.mycontainer.config = { pkgs, ... }: {
      imports = [ stateVersion ];
      environment.systemPackages = [ pkgs.htop ];
    };
  };

  # The original README's second example: nginx on the host in front of the container's.
  proxy = {
    services.nginx = {
      enable = true;
      recommendedProxySettings = true;
      virtualHosts."_".locations."/".proxyPass = "http://backend.local";
    };
    systemd.services.nginx = {
      wants = [ "nixos-nspawn@backend.service" ];
      after = [ "nixos-nspawn@backend.service" ];
    };
    nixos-nspawn.containers.backend.config = {
      imports = [ stateVersion ];
      networking.firewall.allowedTCPPorts = [ 80 ];
      services.nginx = {
        enable = true;
        virtualHosts."backend".locations."/".return = ''200 "hack the planet"'';
      };
    };
  };

  # The original README's third example: static addresses on both veth ends.
  static = {
    nixos-nspawn.containers.testcontainer = {
      config = stateVersion;
      network.veth.config = {
        host = {
          networkConfig.DHCPServer = false;
          address = [ "fc42::1/64" "192.168.42.1/24" ];
        };
        container = {
          networkConfig.DHCP = false;
          address = [ "fc42::2/64" "192.168.42.2/24" ];
          gateway = [ "fc42::1" "192.168.42.1" ];
        };
      };
    };
  };

  # A forwarded port, a host service in the container's namespace, a bind mount, a credential.
  web = { pkgs, ... }: {
    systemd.services.probe = {
      serviceConfig.Type = "oneshot";
      path = [ pkgs.curl ];
      script = "curl -sf http://127.0.0.1/ > /run/probe.out";
    };
    systemd.tmpfiles.rules = [ "d /srv/web 0755 root root -" "f /run/web-secret 0600 root root - s3cret" ];
    nixos-nspawn.containers.web = {
      config = {
        imports = [ stateVersion ];
        networking.firewall.allowedTCPPorts = [ 80 ];
        services.nginx = {
          enable = true;
          virtualHosts.web.locations."/".return = ''200 "from web"'';
        };
        systemd.services.secret = {
          wantedBy = [ "multi-user.target" ];
          serviceConfig = {
            Type = "oneshot";
            LoadCredential = "token";
          };
          script = ''
            cp "$CREDENTIALS_DIRECTORY/token" /srv/web/token
          '';
        };
      };
      binds."/srv/web".hostPath = "/srv/web";
      credentials.token.file = "/run/web-secret";
      forwardPorts = [ { hostPort = 8080; containerPort = 80; } ];
      network.namespace.services = [ "probe" ];
    };
  };

  # Variants of `web` for switch-to-configuration: a changed configuration, and none at all.
  webChanged = {
    nixos-nspawn.containers.web.tmpfs = [ "/scratch" ];
  };
  webRemoved = {
    nixos-nspawn.containers = lib.mkForce { };
  };
}
