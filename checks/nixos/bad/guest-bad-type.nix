# expect: nixos-nspawn.containers.web.config.networking.hostName' is not of type
{ nixos-nspawn.containers.web.config = { networking.hostName = 42; }; }
