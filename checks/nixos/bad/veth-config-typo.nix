# expect: networkConfg
{ nixos-nspawn.containers.web = { config = { }; network.veth.config.host.networkConfg.DHCPServer = false; }; }
