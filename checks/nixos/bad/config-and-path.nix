# expect: nixos-nspawn.containers.web.config and nixos-nspawn.containers.web.path: set exactly one of them
{ nixos-nspawn.containers.web = { config = { }; path = "/nix/store/00000000000000000000000000000000-nixos-system-web"; }; }
