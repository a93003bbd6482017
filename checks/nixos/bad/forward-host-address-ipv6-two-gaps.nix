# expect: nixos-nspawn.containers.web.forwardPorts: hostPort 8080 has hostAddress = 'fd00::1::2'; give an IPv4 or IPv6 address
{ nixos-nspawn.containers.web = { config = { }; forwardPorts = [ { hostPort = 8080; hostAddress = "fd00::1::2"; } ]; }; }
