# expect: nixos-nspawn.containers.web.config.services.openssh binds port 22, but with network.private = false and privateUsers = 'pick' root inside cannot bind ports below 1024
{
  nixos-nspawn.containers.web = { network.private = false; network.veth.enable = false; config = { services.openssh.enable = true; }; };
}
