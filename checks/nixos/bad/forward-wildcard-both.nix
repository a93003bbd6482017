# expect: nixos-nspawn.containers.web.forwardPorts and nixos-nspawn.containers.web.forwardPorts both forward host port 80/tcp on every address and 0.0.0.0 (every address covers both IPv4 and IPv6, 0.0.0.0 among them)
{
  nixos-nspawn.containers.web = { config = { }; forwardPorts = [ { hostPort = 80; } { hostPort = 80; hostAddress = "0.0.0.0"; containerPort = 8080; } ]; };
}
