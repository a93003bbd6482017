# expect: nixos-nspawn.containers.web: the launcher refuses its settings: Invalid --private-users '0': base 0
{ nixos-nspawn.containers.web = { config = { }; extraArgs = [ "--private-users=0" ]; }; }
