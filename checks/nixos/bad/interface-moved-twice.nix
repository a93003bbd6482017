# expect: nixos-nspawn.containers.a.network.interfaces moves host interface 'eth1' into a, but nixos-nspawn.containers.b.network.interfaces uses it too
{
  nixos-nspawn.containers.a = { config = { }; network.veth.enable = false; network.interfaces = [ "eth1" ]; };
  nixos-nspawn.containers.b = { config = { }; network.veth.enable = false; network.interfaces = [ "eth1" ]; };
}
