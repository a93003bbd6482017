# expect: nixos-nspawn.containers.web.privateUsers = 'yes': use "pick", "no" or "BASE[:SIZE]"
{ nixos-nspawn.containers.web = { config = { }; privateUsers = "yes"; }; }
