# From nixpkgs' containers.<name>.forwardPorts, and a host service in the container's network namespace.
{
  systemd.services.fetcher = {
    serviceConfig.ExecStart = "/run/current-system/sw/bin/true";
  };
  nixos-nspawn.containers.web = {
    config = { services.nginx.enable = true; };
    forwardPorts = [
      { hostPort = 8080; containerPort = 80; }
      { protocol = "udp"; hostPort = 1053; containerPort = 53; }
      { hostPort = 8081; containerPort = 81; hostAddress = "192.0.2.1"; }
      { hostPort = 8082; containerPort = 82; hostAddress = "0.0.0.0"; }
      { hostPort = 8443; containerPort = 443; hostAddress = "::1"; openFirewall = false; }
      { hostPort = 8443; containerPort = 443; hostAddress = "127.0.0.1"; openFirewall = false; }
    ];
    network.namespace.services = [ "fetcher" ];
  };
}
