# expect: nixos-nspawn.containers.web.path = '/nix/var/nix/profiles/per-nspawn/web': not a store path
{ nixos-nspawn.containers.web.path = "/nix/var/nix/profiles/per-nspawn/web"; }
