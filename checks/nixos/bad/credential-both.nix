# expect: nixos-nspawn.containers.web.credentials.token: set exactly one of file and text
{ nixos-nspawn.containers.web = { config = { }; credentials.token = { file = "/run/secrets/t"; text = "x"; }; }; }
