# expect: nixos-nspawn.containers.web: the launcher refuses its settings: Invalid --network-zone 'a_b'
{ nixos-nspawn.containers.web = { config = { }; extraArgs = [ "--network-zone=a_b" ]; }; }
