# From nixpkgs' containers.<name>.forwardPorts, and a host service in the container's network namespace.
{
  systemd.services.fetcher = {
    serviceConfig.ExecStart = "/run/current-system/sw/bin/true";
  };
  nixos-nspawn.containers.web = {
    config = { services.nginx.enable = true; };
    forwardPorts = [
      { hostPort = 8080; containerPort = 80; }
      { hostPort = 8443; containerPort = 443; hostAddress = "::1"; openFirewall = false; }
      { hostPort = 8443; containerPort = 443; hostAddress = "127.0.0.1"; openFirewall = false; }
    ];
    network.namespace.services = [ "fetcher" ];
  };
}
