# expect: nixos-nspawn.containers.dns.forwardPorts: hostPort 53 uses protocol 'udp'; only "tcp" can be forwarded
{ nixos-nspawn.containers.dns = { config = { }; forwardPorts = [ { protocol = "udp"; hostPort = 53; } ]; }; }
