# expect: nixos-nspawn.containers.web.binds.'/nix/store': cannot bind onto the Nix store
{ nixos-nspawn.containers.web = { config = { }; binds."/nix/store".hostPath = "/nix/store"; }; }
