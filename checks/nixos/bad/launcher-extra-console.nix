# expect: nixos-nspawn.containers.web: the launcher refuses its settings: Invalid --console 'loud'
{ nixos-nspawn.containers.web = { config = { }; extraArgs = [ "--console=loud" ]; }; }
