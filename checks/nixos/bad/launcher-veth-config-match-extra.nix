# expect: nixos-nspawn.containers.web: the launcher refuses its settings: Invalid network settings in
{ nixos-nspawn.containers.web = { config = { }; network.veth.config.container.extraConfig = "[Match]\nName=eth0\n"; }; }
