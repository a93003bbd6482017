# expect: nixos-nspawn.containers.a.forwardPorts and nixos-nspawn.containers.b.forwardPorts both forward host port 8080/tcp on 0.0.0.0 and 192.168.1.5 (0.0.0.0 covers every IPv4 address, 192.168.1.5 among them)
{
  nixos-nspawn.containers.a = { config = { }; forwardPorts = [ { hostPort = 8080; hostAddress = "0.0.0.0"; } ]; };
  nixos-nspawn.containers.b = { config = { }; forwardPorts = [ { hostPort = 8080; hostAddress = "192.168.1.5"; } ]; };
}
