# expect: Address= '192.168.7.300/24' is not an IP address
{ nixos-nspawn.containers.web = { config = { }; network.veth.config.container = { address = [ "192.168.7.300/24" ]; }; }; }
