# expect: nixos-nspawn.containers.web: the launcher refuses its settings: --chown-foreign='/srv' changes a host directory and exits
{ nixos-nspawn.containers.web = { config = { }; extraArgs = [ "--chown-foreign=/srv" ]; }; }
