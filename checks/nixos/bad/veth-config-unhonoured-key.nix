# expect: nixos-nspawn.containers.web.network.veth.config.container: vlan = '["v10"]': not taken into the launcher's override file
{ nixos-nspawn.containers.web = { config = { }; network.veth.config.container.vlan = [ "v10" ]; }; }
