# expect: nixos-nspawn.containers.web.network.veth.config: settings for the veth, but the container has none
{ nixos-nspawn.containers.web = { config = { }; network.veth.enable = false; network.veth.config.container.networkConfig.DHCP = false; }; }
