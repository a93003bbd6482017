# expect: nixos-nspawn.containers.a.network.veth.config.host and nixos-nspawn.containers.b.network.veth.config.host give zone 'lab''s bridge vz-lab different settings
{
  nixos-nspawn.containers.a = { config = { }; network.veth.zone = "lab"; network.veth.config.host.address = [ "10.5.0.1/24" ]; };
  nixos-nspawn.containers.b = { config = { }; network.veth.zone = "lab"; };
}
