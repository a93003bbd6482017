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
  # pty's \r. up(NAME): the container's systemd reached multi-user.target (as nixpkgs' container tests wait; a
  # failed unit inside does not stop it, unlike is-system-running), within the unit's own start deadline.
  # The driver runs commands with `set -o pipefail`: no `| grep -q`, which closes the pipe early.
  prelude = ''
    def inside(name, command):
        return host.succeed(f"machinectl -q shell {name} /run/current-system/sw/bin/sh -c 'PATH=/run/current-system/sw/bin; {command}'").replace("\r", "").strip()

    def up(name):
        host.wait_for_unit(f"nixos-nspawn@{name}.service", timeout=360)
        host.wait_until_succeeds(f"systemctl -M {name} is-active multi-user.target", timeout=300)
  '';

  # The first start, the store as the container sees it, a restart through machined.
  simpleScript = owner: prelude + ''
    up("mycontainer")
    inside("mycontainer", "htop --version")
    closure = host.succeed("sed -n 's/^NIXOS_NSPAWN_CLOSURE=//p' /etc/nixos-nspawn/mycontainer.conf").strip()
    assert inside("mycontainer", "ls /nix/store | wc -l") == host.succeed(f"wc -l < {closure}").strip(), "the store holds exactly the closure"
    assert inside("mycontainer", "stat -c %u:%g /nix/store/*-nixos-system-* | sort -u") == "${owner}", "the store's owner inside"
    host.succeed("machinectl status mycontainer | grep -E 'UID Shift: [1-9]'")
    assert inside("mycontainer", "getent shadow root | cut -d: -f2") == "!", "root is locked"
    assert inside("mycontainer", "hostname") == "mycontainer"
    host.wait_until_succeeds("resolvectl query mycontainer.local", timeout=300)
    host.succeed("journalctl -M mycontainer -b --no-pager | grep 'Reached target' >/dev/null")
    host.succeed("machinectl poweroff mycontainer")
    host.wait_until_fails("machinectl show mycontainer", timeout=300)
    host.succeed("machinectl start mycontainer")
    host.wait_until_succeeds("systemctl -M mycontainer is-active multi-user.target", timeout=300)
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
  } (''
    assert host.succeed("findmnt -n -o FSTYPE -T /nix/store").strip() == "ext4", "the store is on the disk image"
  '' + simpleScript "0:0" + ''
    assert "cannot be idmapped" not in host.succeed("journalctl -u nixos-nspawn@mycontainer.service --no-pager"), "the store is idmapped, silently"
  '');

  # The default VM: the store is an overlay on 9p, which refuses idmapped mounts. The container starts anyway,
  # its store mounted without idmapping (nobody's inside, still read-only), and the launcher says so once.
  overlaystore = test "overlay-store" nodes.simple (''
    assert host.succeed("findmnt -n -o FSTYPE -T /nix/store").strip() == "overlay", "the store is the default VM's overlay"
  '' + simpleScript "65534:65534" + ''
    journal = host.succeed("journalctl -u nixos-nspawn@mycontainer.service --no-pager")
    assert journal.count("Store '/nix/store' is on a file system that cannot be idmapped (overlay)") == 2, "one line per start says so (machinectl start starts the same unit)"
    assert "ro," in inside("mycontainer", "grep \" /nix/store/[^ ]*-htop-[^ ]* \" /proc/self/mountinfo | cut -d\" \" -f6"), "read-only"
  '');

  proxy = test "reverse-proxy" nodes.proxy (prelude + ''
    up("backend")
    host.wait_for_unit("backend-name.service", timeout=360)
    host.wait_for_unit("nginx.service")
    host.wait_until_succeeds("curl -sf http://localhost/ | grep 'hack the planet'", timeout=300)
  '');

  static = test "static-networking" nodes.static (prelude + ''
    up("testcontainer")
    host.wait_until_succeeds("ping -c1 -W1 192.168.42.2", timeout=300)
    host.wait_until_succeeds("ping -6 -c1 -W1 fc42::2", timeout=300)
  '');

  # Run like a service. The journal: a line logged inside is read with `journalctl -M` while it runs, after a crash,
  # and with `journalctl -D /var/log/journal/ID` after it stopped. Restarts: PID 1 SIGKILLed from the host, and an
  # OOM kill at MemoryMax (the VM has the memory controller the development machines lack), each brings it back
  # (Restart=on-failure). Forwards: TCP and UDP from the other node, over v4 and v6, and the container sees the
  # client's own address (DNAT, no proxy).
  service = pkgs.testers.runNixOSTest {
    name = "nixos-nspawn-service";
    nodes.host = { imports = [ vm nodes.service ]; };
    nodes.client = { pkgs, ... }: { environment.systemPackages = [ pkgs.socat ]; };
    testScript = prelude + ''
      def leader():
          return host.succeed("machinectl show db -p Leader --value").strip()

      def restarts():
          return int(host.succeed("systemctl show -p NRestarts --value nixos-nspawn@db.service").strip())

      # back(OLD): a new PID 1 runs (the machine is registered again) and its systemd is up
      def back(old):
          host.wait_until_succeeds(f"l=$(machinectl show db -p Leader --value) && [ -n \"$l\" ] && [ \"$l\" != {old} ]", timeout=360)
          up("db")

      start_all()
      up("db")
      machine_id = host.succeed("machinectl show db -p Id --value").strip()
      assert len(machine_id) == 32, "a machine ID"

      # --- the journal, on the host while it runs ---
      inside("db", "echo vm-before-crash | systemd-cat -t vmtest")
      host.wait_until_succeeds("journalctl -M db -t vmtest --no-pager | grep vm-before-crash", timeout=60)

      # --- PID 1 killed from the host: the unit starts it again; the line survives ---
      old = leader()
      host.succeed(f"kill -KILL {old}")
      back(old)
      assert restarts() == 1, "one restart (Restart=on-failure)"
      assert host.succeed("machinectl show db -p Id --value").strip() == machine_id, "the same machine ID"
      host.succeed("journalctl -M db -t vmtest --no-pager | grep vm-before-crash")
      inside("db", "echo vm-after-crash | systemd-cat -t vmtest")
      host.wait_until_succeeds("journalctl -M db -t vmtest --no-pager | grep vm-after-crash", timeout=60)

      # --- forwards from the client node: TCP and UDP, v4 and v6, the client's own address seen inside ---
      host.wait_for_unit("nixos-nspawn@db.service")
      host4 = host.succeed("ip -4 -o addr show dev eth1 | awk '{print $4}' | cut -d/ -f1").strip()
      host6 = host.succeed("ip -6 -o addr show dev eth1 scope global | awk '{print $4}' | cut -d/ -f1 | head -n1").strip()
      client4 = client.succeed("ip -4 -o addr show dev eth1 | awk '{print $4}' | cut -d/ -f1").strip()
      client6 = client.succeed("ip -6 -o addr show dev eth1 scope global | awk '{print $4}' | cut -d/ -f1 | head -n1").strip()
      inside("db", "systemctl is-active peer-tcp.service peer-udp.service")
      seen = client.wait_until_succeeds(f"echo x | socat -t 3 - TCP4:{host4}:9000", timeout=120).strip()
      assert client4 in seen and host4 not in seen and "127.0.0.1" not in seen, f"TCP over v4: the client's address inside, got {seen!r}"
      seen = client.wait_until_succeeds(f"echo x | socat -t 3 - UDP4:{host4}:9001", timeout=120).strip()
      assert client4 in seen and host4 not in seen, f"UDP over v4: the client's address inside, got {seen!r}"
      seen = client.wait_until_succeeds(f"echo x | socat -t 3 - TCP6:[{host6}]:9000", timeout=120).strip()
      assert client6 in seen, f"TCP over v6: the client's address inside, got {seen!r}"
      seen = client.wait_until_succeeds(f"echo x | socat -t 3 - UDP6:[{host6}]:9001", timeout=120).strip()
      assert client6 in seen, f"UDP over v6: the client's address inside, got {seen!r}"

      # --- an OOM kill at MemoryMax (256M): the unit stops (OOMPolicy=stop) and Restart=on-failure restarts it ---
      old = leader()
      host.execute("machinectl -q shell db /run/current-system/sw/bin/sh -c 'head -c 1G /dev/zero | tail' >/dev/null 2>&1")
      back(old)
      assert restarts() == 2, "the OOM kill counted as a restart"
      host.succeed("journalctl -u nixos-nspawn@db.service --no-pager | grep -i 'oom'")

      # --- after a stop the journal stays on the host: both runs' lines, with journalctl -D ---
      host.succeed("systemctl stop nixos-nspawn@db.service")
      host.wait_until_fails("machinectl show db", timeout=300)
      out = host.succeed(f"journalctl -D /var/log/journal/{machine_id} -t vmtest --no-pager -o cat")
      assert "vm-before-crash" in out and "vm-after-crash" in out, "both runs' lines after the stop"
      host.succeed("nixos-nspawnctl logs db </dev/null | grep vm-after-crash")
    '';
  };

  web = test "web" {
    imports = [ nodes.web ];
    specialisation.changed.configuration = nodes.webChanged;
    specialisation.removed.configuration = nodes.webRemoved;
  } (prelude + ''
    up("web")
    assert host.succeed("stat -c %u:%g /srv/web").strip() == "2147352576:2147352576", "the bind source was created for the foreign range's root"
    host.wait_until_succeeds("curl -sf http://127.0.0.1:8080/ | grep 'from web'", timeout=300)
    host.wait_until_succeeds("curl -sf 'http://[::1]:8080/' | grep 'from web'", timeout=300)
    # the rest is the launcher's DNAT (--port): the host's own connection to its eth1 address (the output chain),
    # and the container sees the host's address, not a proxy's 127.0.0.1
    addr = host.succeed("ip -4 -o addr show dev eth1 | awk '{print $4}' | cut -d/ -f1").strip()
    host.wait_until_succeeds(f"curl -sf http://{addr}:8080/ | grep 'from web'", timeout=300)
    host.succeed("systemctl start probe.service")
    host.succeed("grep 'from web' /run/probe.out")
    host.wait_until_succeeds("test \"$(cat /srv/web/token)\" = s3cret", timeout=300)
    assert host.succeed("stat -c %u /srv/web/token").strip() == "2147352576", "root inside writes as the foreign range's root"
    host.succeed("test -f /etc/nixos-nspawn/web.conf")
    host.fail("grep -Rq s3cret /etc/nixos-nspawn/")

    # /run/current-system is the specialisation's toplevel after the first switch, which has no specialisation/
    # of its own: both switches go through the booted system (as nixpkgs' activation tests do)
    leader = host.succeed("machinectl show web -p Leader --value").strip()
    host.succeed("/run/booted-system/specialisation/changed/bin/switch-to-configuration test")
    up("web")
    assert host.succeed("machinectl show web -p Leader --value").strip() != leader, "a changed configuration restarts it"
    assert inside("web", "stat -f -c %T /scratch") == "tmpfs"

    host.succeed("/run/booted-system/specialisation/removed/bin/switch-to-configuration test")
    host.wait_until_fails("machinectl show web", timeout=300)
    host.fail("systemctl is-active nixos-nspawn@web.service")
    host.fail("curl -sf http://127.0.0.1:8080/")
  '');
}
