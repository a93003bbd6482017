# What a container's start must wait for on the host: bind sources (one on a disk not yet mounted, one with a
# '%'), a bridge, a macvlan's parent and a moved interface (names systemd escapes).
{
  nixos-nspawn.containers.br = {
    config = { };
    binds."/var/lib/db" = { hostPath = "/mnt/disk/db"; };
    binds."/srv/odd" = { hostPath = "/srv/50%"; readOnly = true; };
    binds."/srv/same" = { };
    network.bridge = "br-lan";
  };
  nixos-nspawn.containers.lan = {
    config = { };
    network.veth.enable = false;
    network.macvlans = [ "eth1" ];
    network.interfaces = [ "wlan-0" ];
  };
  nixos-nspawn.containers.plain.config = { };
}
