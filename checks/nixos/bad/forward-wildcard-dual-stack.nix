# expect: nixos-nspawn.containers.a.forwardPorts and nixos-nspawn.containers.b.forwardPorts both forward host port 443/tcp on :: and 10.0.0.1 (:: covers both IPv4 and IPv6, 10.0.0.1 among them)
{
  nixos-nspawn.containers.a = { config = { }; forwardPorts = [ { hostPort = 443; hostAddress = "::"; } ]; };
  nixos-nspawn.containers.b = { config = { }; forwardPorts = [ { hostPort = 443; hostAddress = "10.0.0.1"; } ]; };
}
