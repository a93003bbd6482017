# A host that turns networkd off, with a container that has a veth: it evaluates, with a warning that says what
# the container loses.
{
  systemd.network.enable = false;
  nixos-nspawn.containers.web.config = { };
}
