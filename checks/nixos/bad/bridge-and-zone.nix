# expect: nixos-nspawn.containers.web.network.bridge and network.veth.zone both put the veth into a bridge
{ nixos-nspawn.containers.web = { config = { }; network.bridge = "br0"; network.veth.zone = "lab"; }; }
