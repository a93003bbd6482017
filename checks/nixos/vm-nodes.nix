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
    # the test asks for mycontainer.local from the host
    nixos-nspawn.resolved.enable = true;
    nixos-nspawn.containers.mycontainer.config = { pkgs, ... }: {
      imports = [ stateVersion ];
      environment.systemPackages = [ pkgs.htop ];
    };
  };

  # The original README's second example: nginx on the host in front of the container's.
  proxy = { pkgs, ... }: {
    # the host resolves backend.local over mDNS
    nixos-nspawn.resolved.enable = true;
    services.nginx = {
      enable = true;
      recommendedProxySettings = true;
      virtualHosts."_".locations."/".proxyPass = "http://backend.local";
    };
    # nginx resolves the upstream once, when it starts, and fails without it: a start before mDNS answers would
    # make systemd restart it until its start limit gives up. So it starts after the name resolves (within
    # the deadline of this unit's TimeoutStartSec); if the name never does, nginx fails once, not in a loop.
    systemd.services.backend-name = {
      description = "Wait until backend.local resolves";
      wants = [ "nixos-nspawn@backend.service" ];
      after = [ "nixos-nspawn@backend.service" ];
      path = [ pkgs.systemd ];
      script = "until resolvectl query backend.local; do sleep 1; done";
      serviceConfig = {
        Type = "oneshot";
        RemainAfterExit = true;
        TimeoutStartSec = "5min";
      };
    };
    systemd.services.nginx = {
      requires = [ "backend-name.service" ];
      after = [ "backend-name.service" ];
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
    # /srv/web, the bind source, is created by the module, owned by the foreign range's root (createHostPath)
    systemd.tmpfiles.rules = [ "f /run/web-secret 0600 root root - s3cret" ];
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

  # Run like a service (vm-tests.nix `service`, with a second node `client`): the journal kept on the host, restarts
  # after a crash and an OOM kill at MemoryMax, TCP and UDP forwards that keep the client's address.
  service = {
    nixos-nspawn.containers.db = {
      config = { pkgs, ... }: {
        imports = [ stateVersion ];
        networking.firewall.allowedTCPPorts = [ 9000 ];
        networking.firewall.allowedUDPPorts = [ 9001 ];
        # each answers with the address of whoever sent to it, as the container sees it (socat's SOCAT_PEERADDR)
        systemd.services.peer-tcp = {
          wantedBy = [ "multi-user.target" ];
          script = ''
            exec ${pkgs.socat}/bin/socat TCP6-LISTEN:9000,ipv6only=0,fork,reuseaddr SYSTEM:'echo "$SOCAT_PEERADDR"'
          '';
        };
        systemd.services.peer-udp = {
          wantedBy = [ "multi-user.target" ];
          script = ''
            exec ${pkgs.socat}/bin/socat UDP6-RECVFROM:9001,ipv6only=0,fork SYSTEM:'echo "$SOCAT_PEERADDR"'
          '';
        };
      };
      forwardPorts = [
        { hostPort = 9000; containerPort = 9000; }
        { protocol = "udp"; hostPort = 9001; containerPort = 9001; }
      ];
      # the OOM step: a process inside that grows past this is killed, the unit stops (OOMPolicy=stop) and
      # Restart=on-failure brings the container back
      serviceConfig.MemoryMax = "256M";
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
