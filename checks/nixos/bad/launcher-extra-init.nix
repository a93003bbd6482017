# expect: nixos-nspawn.containers.web: the launcher refuses its settings: Option '--init' given twice (again as '/bin/sh')
{ nixos-nspawn.containers.web = { config = { }; extraArgs = [ "--init=/bin/sh" ]; }; }
