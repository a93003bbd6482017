# expect: nixos-nspawn.containers.db: the launcher refuses its settings: Invalid --system-call-filter '~@nosuchgroup'
{ nixos-nspawn.containers.db = { config = { }; systemCallFilter = [ "~@nosuchgroup" ]; }; }
