# expect: nixos-nspawn.containers.web: the launcher refuses its settings: Invalid --drop-capability 'CAP_NOPE'
{ nixos-nspawn.containers.web = { config = { }; capabilities.drop = [ "CAP_NOPE" ]; }; }
