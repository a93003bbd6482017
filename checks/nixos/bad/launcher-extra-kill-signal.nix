# expect: nixos-nspawn.containers.web: the launcher refuses its settings: Invalid --kill-signal 'SIGSTOPP'
{ nixos-nspawn.containers.web = { config = { }; extraArgs = [ "--kill-signal=SIGSTOPP" ]; }; }
