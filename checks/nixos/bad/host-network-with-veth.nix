# expect: nixos-nspawn.containers.web.network.private = false shares the host's network: set network.veth.enable = false
{ nixos-nspawn.containers.web = { config = { }; network.private = false; }; }
