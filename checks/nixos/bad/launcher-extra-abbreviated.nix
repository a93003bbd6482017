# expect: nixos-nspawn.containers.web: the launcher refuses its settings: Unknown option '--mach': options are not abbreviated (--machine?)
{ nixos-nspawn.containers.web = { config = { }; extraArgs = [ "--mach=other" ]; }; }
