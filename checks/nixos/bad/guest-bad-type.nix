# expect: networking.hostName
{ nixos-nspawn.containers.web.config = { networking.hostName = 42; }; }
