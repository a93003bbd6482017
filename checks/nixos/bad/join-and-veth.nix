# expect: nixos-nspawn.containers.web.network.namespace.path = '/run/netns/vpn' joins an existing namespace
{ nixos-nspawn.containers.web = { config = { }; network.namespace.path = "/run/netns/vpn"; }; }
