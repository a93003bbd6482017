# NixOS VM tests (nixpkgs' runNixOSTest), run by `nix flake check` where nixpkgs is available; on the
# development machines, which have no nixpkgs, checks/nixos/run.sh parses this file and evaluates the host
# configurations (vm-nodes.nix) with nixos-eval.
{ pkgs, self ? null }:
let
  inherit (pkgs) lib;
  nodes = import ./vm-nodes.nix { inherit lib; };
  package =
    if self != null then self.packages.${pkgs.stdenv.hostPlatform.system}.default
    else pkgs.callPackage ../../nixos/package.nix { };

  vm = { pkgs, ... }: {
    imports = [ ../../nixos/host.nix ];
    nixos-nspawn.package = package;
    virtualisation.memorySize = 2048;
    environment.systemPackages = [ pkgs.curl ];
  };
  test = name: node: testScript:
    pkgs.testers.runNixOSTest {
      name = "nixos-nspawn-${name}";
      nodes.host = { imports = [ vm node ]; };
      inherit testScript;
    };

  # inside(NAME, COMMAND): a command inside, through machined, with the system's PATH; its output without the
  # pty's \r
  prelude = ''
    def inside(name, command):
        return host.succeed(f"machinectl -q shell {name} /run/current-system/sw/bin/sh -c 'PATH=/run/current-system/sw/bin; {command}'").replace("\r", "").strip()
  '';
in
{
  # The default VM's store is an overlay on 9p, which refuses idmapped mounts (overlaystore below: the launcher's
  # fallback). Here the VM boots from a disk image with the store on ext4, as a real host, so the container's
  # store is idmapped. The image is built just big enough for its closure: a bigger disk, grown into at boot.
  simple = test "simple" {
    imports = [ nodes.simple ];
    virtualisation.useBootLoader = true;
    virtualisation.diskSize = lib.mkForce 8192;
    boot.growPartition = true;
  } (prelude + ''
    assert host.succeed("findmnt -n -o FSTYPE -T /nix/store").strip() == "ext4", "the store is on the disk image"
    host.wait_for_unit("nixos-nspawn@mycontainer.service")
    assert "cannot be idmapped" not in host.succeed("journalctl -u nixos-nspawn@mycontainer.service --no-pager"), "the store is idmapped, silently"
    host.wait_until_succeeds("systemctl -M mycontainer is-system-running | grep -x running")
    inside("mycontainer", "htop --version")
    closure = host.succeed("sed -n 's/^NIXOS_NSPAWN_CLOSURE=//p' /etc/nixos-nspawn/mycontainer.conf").strip()
    assert inside("mycontainer", "ls /nix/store | wc -l") == host.succeed(f"wc -l < {closure}").strip(), "the store holds exactly the closure"
    assert inside("mycontainer", "stat -c %u /nix/store/*-nixos-system-* | sort -u") == "0", "the store looks root-owned"
    host.succeed("machinectl status mycontainer | grep -E 'UID Shift: [1-9]'")
    assert inside("mycontainer", "getent shadow root | cut -d: -f2") == "!", "root is locked"
    assert inside("mycontainer", "hostname") == "mycontainer"
    host.wait_until_succeeds("resolvectl query mycontainer.local")
    host.succeed("journalctl -M mycontainer -b --no-pager | grep -q 'Reached target'")
    host.succeed("machinectl poweroff mycontainer")
    host.wait_until_fails("machinectl show mycontainer")
    host.succeed("machinectl start mycontainer")
    host.wait_until_succeeds("systemctl -M mycontainer is-system-running | grep -x running")
  '');

  # The default VM: the store is an overlay on 9p, which refuses idmapped mounts. The container starts anyway,
  # its store mounted without idmapping (nobody's inside, still read-only), and the launcher says so once.
  overlaystore = test "overlay-store" nodes.simple (prelude + ''
    assert host.succeed("findmnt -n -o FSTYPE -T /nix/store").strip() == "overlay", "the store is the default VM's overlay"
    host.wait_for_unit("nixos-nspawn@mycontainer.service")
    host.wait_until_succeeds("systemctl -M mycontainer is-active multi-user.target")
    journal = host.succeed("journalctl -u nixos-nspawn@mycontainer.service --no-pager")
    assert journal.count("Store '/nix/store' is on a file system that cannot be idmapped (overlay)") == 1, "one line says so"
    assert inside("mycontainer", "stat -c %u:%g /nix/store/*-nixos-system-* | sort -u") == "65534:65534", "the store looks nobody's"
    inside("mycontainer", "htop --version")
    assert "ro," in inside("mycontainer", "grep \" /nix/store/[^ ]*-htop-[^ ]* \" /proc/self/mountinfo | cut -d\" \" -f6"), "read-only"
  '');

  proxy = test "reverse-proxy" nodes.proxy ''
    host.wait_for_unit("nixos-nspawn@backend.service")
    host.wait_for_unit("nginx.service")
    host.wait_until_succeeds("curl -sf http://localhost/ | grep 'hack the planet'")
  '';

  static = test "static-networking" nodes.static ''
    host.wait_for_unit("nixos-nspawn@testcontainer.service")
    host.wait_until_succeeds("ping -c1 -W1 192.168.42.2")
    host.wait_until_succeeds("ping -6 -c1 -W1 fc42::2")
  '';

  web = test "web" {
    imports = [ nodes.web ];
    specialisation.changed.configuration = nodes.webChanged;
    specialisation.removed.configuration = nodes.webRemoved;
  } (prelude + ''
    host.wait_for_unit("nixos-nspawn@web.service")
    host.wait_until_succeeds("curl -sf http://127.0.0.1:8080/ | grep 'from web'")
    host.wait_until_succeeds("curl -sf 'http://[::1]:8080/' | grep 'from web'")
    host.succeed("systemctl start probe.service")
    host.succeed("grep 'from web' /run/probe.out")
    host.wait_until_succeeds("test \"$(cat /srv/web/token)\" = s3cret")
    host.succeed("test -f /etc/nixos-nspawn/web.conf")
    host.fail("grep -Rq s3cret /etc/nixos-nspawn/")

    leader = host.succeed("machinectl show web -p Leader --value").strip()
    host.succeed("/run/current-system/specialisation/changed/bin/switch-to-configuration test")
    host.wait_until_succeeds("systemctl -M web is-system-running | grep -x running")
    assert host.succeed("machinectl show web -p Leader --value").strip() != leader, "a changed configuration restarts it"
    assert inside("web", "stat -f -c %T /scratch") == "tmpfs"

    host.succeed("/run/current-system/specialisation/removed/bin/switch-to-configuration test")
    host.wait_until_fails("machinectl show web")
    host.fail("systemctl is-active nixos-nspawn@web.service")
    host.fail("curl -sf http://127.0.0.1:8080/")
  '');
}
