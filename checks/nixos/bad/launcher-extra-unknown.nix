# expect: nixos-nspawn.containers.web: the launcher refuses its settings: Unknown option '--no-such-option'
{ nixos-nspawn.containers.web = { config = { }; extraArgs = [ "--no-such-option" ]; }; }
