# expect: nixos-nspawn.containers.web.config.systemd.network.networks."40-host0" matches host0, which the launcher configures itself
{
  nixos-nspawn.containers.web.config = { systemd.network.enable = true; systemd.network.networks."40-host0" = { matchConfig.Name = "host0"; address = [ "10.9.0.2/24" ]; }; };
}
