# From nixpkgs' containers.<name>.hostBridge; and a zone of two containers.
{
  nixos-nspawn.containers.br = {
    config = { };
    network.bridge = "br0";
  };
  nixos-nspawn.containers.z1 = { config = { }; network.veth.zone = "lab"; };
  nixos-nspawn.containers.z2 = { config = { }; network.veth.zone = "lab"; };
}
