# expect: nixos-nspawn.containers.web: the launcher refuses its settings: Invalid --setenv '1A=b'
{ nixos-nspawn.containers.web = { config = { }; extraArgs = [ "--setenv=1A=b" ]; }; }
