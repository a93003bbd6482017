# expect: nixos-nspawn.containers.web.binds.'/srv'.idmap: needs a user namespace, but privateUsers = "no"
{ nixos-nspawn.containers.web = { config = { }; privateUsers = "no"; binds."/srv" = { }; }; }
