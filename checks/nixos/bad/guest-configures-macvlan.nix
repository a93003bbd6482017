# expect: nixos-nspawn.containers.web.config.systemd.network.networks."20-mv" matches mv-eth0, which the launcher configures itself
{
  nixos-nspawn.containers.web = { network.veth.enable = false; network.macvlans = [ "eth0" ]; config = { systemd.network.enable = true; systemd.network.networks."20-mv" = { matchConfig.Name = "mv-*"; DHCP = "yes"; }; }; };
}
