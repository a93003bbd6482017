# expect: nixos-nspawn.containers.web.forwardPorts: needs a network namespace of the container's own, but network.private = false
{
  nixos-nspawn.containers.web = {
    config = { };
    network.private = false;
    network.veth.enable = false;
    forwardPorts = [ { hostPort = 8080; containerPort = 80; } ];
  };
}
