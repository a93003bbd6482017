# expect: nixos-nspawn.containers.web: the launcher refuses its settings: Invalid --tmpfs '/var/cache:mode=0755,size=lots'
{ nixos-nspawn.containers.web = { config = { }; tmpfs = [ "/var/cache:mode=0755,size=lots" ]; }; }
