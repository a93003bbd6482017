# expect: nixos-nspawn.containers.web: the launcher refuses its settings: Invalid --register 'sometimes'
{ nixos-nspawn.containers.web = { config = { }; extraArgs = [ "--register=sometimes" ]; }; }
