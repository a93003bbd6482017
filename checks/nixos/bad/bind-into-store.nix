# expect: nixos-nspawn.containers.web.binds.'/nix/store/abc': cannot bind onto the Nix store
{ nixos-nspawn.containers.web = { config = { }; binds."/nix/store/abc".hostPath = "/srv"; }; }
