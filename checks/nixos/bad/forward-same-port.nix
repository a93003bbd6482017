# expect: nixos-nspawn.containers.a.forwardPorts and nixos-nspawn.containers.b.forwardPorts both forward host port 8080/tcp
{
  nixos-nspawn.containers.a = { config = { }; forwardPorts = [ { hostPort = 8080; } ]; };
  nixos-nspawn.containers.b = { config = { }; forwardPorts = [ { hostPort = 8080; hostAddress = "127.0.0.1"; } ]; };
}
