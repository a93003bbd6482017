# expect: nixos-nspawn.containers.web: the launcher refuses its settings: Invalid --tmpfs '/srv:uid=0'
{ nixos-nspawn.containers.web = { config = { }; tmpfs = [ "/srv:uid=0" ]; }; }
