# expect: nixos-nspawn.containers.web.network.macvlans: 'enp0s31f6-uplink0' is not an interface name (1 to 15 characters
{ nixos-nspawn.containers.web = { config = { }; network.macvlans = [ "enp0s31f6-uplink0" ]; }; }
