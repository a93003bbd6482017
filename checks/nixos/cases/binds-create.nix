# Missing bind sources, created by systemd-tmpfiles owned by whom root inside writes as (createHostPath).
{
  nixos-nspawn.containers.store = {
    config = { };
    binds."/var/lib/app" = { hostPath = "/srv/app"; };                    # read-write, foreign range: created
    binds."/srv/plain" = { idmap = "identity"; };                         # read-write, 1:1: created, root's
    binds."/etc/app.conf" = { hostPath = "/etc/app.conf"; readOnly = true; }; # read-only: not created
    binds."/srv/kept" = { createHostPath = false; };                      # asked not to
    binds."/srv/picked" = { idmap = false; };                             # owner depends on the picked range: not created
  };
  nixos-nspawn.containers.fixed = {
    config = { };
    privateUsers = "1879048192:65536";
    binds."/srv/fixed" = { idmap = false; createHostPath = true; };       # a fixed range: its base
  };
}
