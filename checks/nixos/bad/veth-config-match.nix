# expect: nixos-nspawn.containers.web.network.veth.config.host: matchConfig cannot be given here
{ nixos-nspawn.containers.web = { config = { }; network.veth.config.host.matchConfig.Name = "eth0"; }; }
