# expect: nixos-nspawn.containers.web.binds.'/srv'.createHostPath: with idmap = false its owner is the UID range each start picks
{ nixos-nspawn.containers.web = { config = { }; binds."/srv" = { idmap = false; createHostPath = true; }; }; }
