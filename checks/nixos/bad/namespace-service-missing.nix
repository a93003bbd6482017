# expect: nixos-nspawn.containers.vpn.network.namespace.services: 'torrent' is not a service with ExecStart= or script
{ nixos-nspawn.containers.vpn = { config = { }; network.namespace.services = [ "torrent" ]; }; }
