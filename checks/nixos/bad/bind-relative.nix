# expect: nixos-nspawn.containers.web.binds.'var/lib/db': the container path must be a normalized absolute path
{ nixos-nspawn.containers.web = { config = { }; binds."var/lib/db" = { }; }; }
