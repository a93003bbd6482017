# From nixpkgs' containers.<name>.macvlans / interfaces, without a veth.
{
  nixos-nspawn.containers.lan = {
    config = { };
    network.veth.enable = false;
    network.macvlans = [ "eth1" ];
    network.interfaces = [ "eth2" ];
  };
}
