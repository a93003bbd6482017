# The original nixos-nspawn README's third example: static addresses on both veth ends.
{
  nixos-nspawn.containers.testcontainer = {
    config = { };
    network.veth.config = {
      host = {
        networkConfig.DHCPServer = false;
        address = [ "fc42::1/64" "192.168.42.1/24" ];
      };
      container = {
        networkConfig.DHCP = false;
        address = [ "fc42::2/64" "192.168.42.2/24" ];
        gateway = [ "fc42::1" "192.168.42.1" ];
      };
    };
  };
}
