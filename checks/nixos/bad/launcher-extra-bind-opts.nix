# expect: nixos-nspawn.containers.web: the launcher refuses its settings: Invalid --bind '/srv:/srv:rw'
{ nixos-nspawn.containers.web = { config = { }; extraArgs = [ "--bind=/srv:/srv:rw" ]; }; }
