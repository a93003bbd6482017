# expect: nixos-nspawn.containers.web: the launcher refuses its settings: Invalid --capability 'NET_ADMIN': 'NET_ADMIN' is not a capability name
{ nixos-nspawn.containers.web = { config = { }; capabilities.add = [ "NET_ADMIN" ]; }; }
