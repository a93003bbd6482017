# expect: nixos-nspawn.containers.web.network.veth.config.host: with network.bridge the host end is a port of that bridge
{ nixos-nspawn.containers.web = { config = { }; network.bridge = "br0"; network.veth.config.host.networkConfig.DHCPServer = false; }; }
