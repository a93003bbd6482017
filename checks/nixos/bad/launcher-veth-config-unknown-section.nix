# expect: nixos-nspawn.containers.web: the launcher refuses its settings: Invalid network settings in
{ nixos-nspawn.containers.web = { config = { }; network.veth.config.host.extraConfig = "[Netwrk]\nDHCP=yes\n"; }; }
