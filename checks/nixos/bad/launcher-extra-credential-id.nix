# expect: nixos-nspawn.containers.web: the launcher refuses its settings: Invalid --load-credential for 'a/b'
{ nixos-nspawn.containers.web = { config = { }; extraArgs = [ "--load-credential=a/b:/run/keys/x" ]; }; }
