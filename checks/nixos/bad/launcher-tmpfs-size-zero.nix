# expect: nixos-nspawn.containers.web: the launcher refuses its settings: Invalid --tmpfs '/srv:size=0'
{ nixos-nspawn.containers.web = { config = { }; tmpfs = [ "/srv:size=0" ]; }; }
