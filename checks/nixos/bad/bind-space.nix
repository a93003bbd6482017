# expect: nixos-nspawn.containers.web.launcher arguments: '--bind=/srv/my data:/data:foreign' contains whitespace
{ nixos-nspawn.containers.web = { config = { }; binds."/data".hostPath = "/srv/my data"; }; }
