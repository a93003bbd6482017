# expect: nixos-nspawn.containers.web.forwardPorts: hostPort 8080 has hostAddress = '192.168.1.300'; give an IPv4 or IPv6 address
{ nixos-nspawn.containers.web = { config = { }; forwardPorts = [ { hostPort = 8080; hostAddress = "192.168.1.300"; } ]; }; }
