# expect: nixos-nspawn.containers.web.extraArgs: --set-credential would put the credential's value where every local user can read it; use nixos-nspawn.containers.web.credentials.<id>.file.
{ nixos-nspawn.containers.web = { config = { }; extraArgs = [ "--set-credential=token:hunter2" ]; }; }
