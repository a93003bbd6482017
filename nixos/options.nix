# The option tree of `nixos-nspawn.*`, shared by the host module (host.nix) and by lib.nix (containers of a
# project flake on a host without NixOS). Declarations only: what the options do is in plan.nix and host.nix.
#
# networkType: the type of `network.veth.config.{host,container}`. The host module passes NixOS's own type of a
# `systemd.network.networks.<name>` entry, so a misspelled key is an error at evaluation time; lib.nix, which has
# no NixOS option declarations, passes an attrset.
{ lib, pkgs, networkType }:
let
  inherit (lib) mkOption types literalExpression;

  bindModule =
    { name, config, ... }:
    {
      options = {
        hostPath = mkOption {
          type = types.nullOr types.str;
          default = null;
          example = "/srv/web/state";
          description = ''
            The directory or file on the host. Default: the same path as in the container.
          '';
        };
        readOnly = mkOption {
          type = types.bool;
          default = false;
          example = true;
          description = "Whether the container sees the bind mount read-only.";
        };
        idmap = mkOption {
          type = types.either types.bool (types.enum [ "foreign" "identity" ]);
          default = true;
          example = "identity";
          description = ''
            How the mount is idmapped, so that owners on disk do not depend on the UID range picked for a run.
            `true`: a read-write bind is in systemd's foreign UID range on disk (2147352576 + N is N inside; a
            file root inside makes is owned by 2147352576, never by a host user), a read-only one is mapped 1:1
            (host files look as they are). `"foreign"` or `"identity"`: that mapping whatever `readOnly` says;
            read-write `"identity"` lets root inside write files owned by the host's root, setuid programs
            included: only for directories nothing on the host runs or trusts. `false`: not idmapped (the
            picked range's UIDs on disk). State written with identity mapping moves over to the foreign range
            once with `nixos-nspawn --chown-foreign=DIR`.
          '';
        };
        createHostPath = mkOption {
          type = types.bool;
          default = !config.readOnly && config.idmap != false;
          defaultText = literalExpression "!readOnly && idmap != false";
          example = false;
          description = ''
            Whether a missing host directory is created (by systemd-tmpfiles at boot and activation; by
            `NAME-up` with `lib.mkContainers`),
            owned so that the container's root can write it: by the foreign UID range's root (2147352576) for a
            foreign-mapped bind, by root for an identity-mapped one. An existing path is left as it is (owner
            and mode only apply to a directory it creates). With `idmap = false` the owner is the container's
            UID range, known only for a fixed `privateUsers` (or `"no"`: root).
          '';
        };
      };
    };

  credentialModule =
    { name, ... }:
    {
      options = {
        file = mkOption {
          type = types.nullOr types.str;
          default = null;
          example = "/run/secrets/web-db-password";
          description = ''
            A file on the host read by the launcher at each start and handed to the container as credential
            `<id>` (services read it with `LoadCredential=<id>`). Its content is never copied into the Nix
            store and never shows in a process list. Use this for secrets.
          '';
        };
        text = mkOption {
          type = types.nullOr types.str;
          default = null;
          example = "https://ca.example.internal";
          description = ''
            The credential's value, written into the Nix store, which **every local user can read**: only for
            values that are not secret. Use `file` for secrets.
          '';
        };
      };
    };

  forwardPortModule = {
    options = {
      protocol = mkOption {
        type = types.enum [ "tcp" "udp" ];
        default = "tcp";
        example = "tcp";
        description = ''
          The protocol forwarded: `tcp` or `udp` (both by DNAT; the host's own loopback, which only a proxy reaches,
          is forwarded for `tcp` only).
        '';
      };
      hostPort = mkOption {
        type = types.port;
        example = 8080;
        description = "The port on the host that is forwarded.";
      };
      containerPort = mkOption {
        type = types.nullOr types.port;
        default = null;
        example = 80;
        description = ''
          The port inside the container. Forwarded connections arrive at the container's address on `host0` (the
          one DHCP or SLAAC gave it, followed as it changes), so the service must listen there, not only on
          `localhost`; those from the host's own loopback arrive from the proxy on the container's `localhost`.
          Default: `hostPort`.
        '';
      };
      hostAddress = mkOption {
        type = types.nullOr types.str;
        default = null;
        example = "127.0.0.1";
        description = ''
          The host address forwarded from (IPv4, or IPv6 without brackets): only connections to it. Default (and
          `::`): every address of the host, IPv4 and IPv6; `0.0.0.0`: every IPv4 address. A loopback address
          (`127.0.0.1`, `::1`) is served by the proxy alone.
        '';
      };
      openFirewall = mkOption {
        type = types.bool;
        default = true;
        example = false;
        description = ''
          Whether to open `hostPort` in the host's firewall (as nixpkgs' `containers.<name>.forwardPorts` is
          reachable from outside).
        '';
      };
    };
  };

  containerModule =
    { name, ... }:
    {
      options = {
        config = mkOption {
          type = types.nullOr types.deferredModule;
          default = null;
          example = literalExpression ''
            { pkgs, ... }: {
              environment.systemPackages = [ pkgs.htop ];
              services.nginx.enable = true;
            }
          '';
          description = ''
            The container's NixOS configuration, as a NixOS module. It is evaluated together with the guest
            module (`nixos/container.nix`), `nixos-nspawn.imports` and `networking.hostName = "<name>"` (a
            default), with `nixpkgs` and `specialArgs` below. Exactly one of `config` and `path` is set.
          '';
        };
        path = mkOption {
          type = types.nullOr (types.either types.str types.package);
          default = null;
          example = "/nix/store/…-nixos-system-web-25.05";
          description = ''
            A prebuilt NixOS toplevel instead of `config` (its `init` is started). A derivation is handed to
            the launcher with its closure from `closureInfo`; a plain store path string (no build dependency) is
            handed over as `--store-path=`, and the launcher asks Nix for its closure, unless `closureFile` is
            set.
          '';
        };
        closureFile = mkOption {
          type = types.nullOr types.str;
          default = null;
          example = "/var/lib/deploy/web.closure";
          description = ''
            A file listing the store paths the container sees (`nix-store -qR PATH` output), for a prebuilt
            `path`. Default: `closureInfo { rootPaths = [ toplevel ]; }`'s `store-paths`, which is exactly the
            toplevel's closure; never the host's whole store.
          '';
        };
        nixpkgs = mkOption {
          type = types.path;
          default = pkgs.path;
          defaultText = literalExpression "pkgs.path";
          example = literalExpression "inputs.nixpkgs-unstable";
          description = ''
            The nixpkgs whose NixOS evaluates `config` (`<nixpkgs>/nixos/lib/eval-config.nix`). Default: the
            host's. The container's `nixpkgs.config` and `nixpkgs.overlays` are its own, not the host's: set
            them in `config` or in `nixos-nspawn.imports`.
          '';
        };
        specialArgs = mkOption {
          type = types.attrsOf types.unspecified;
          default = { };
          example = literalExpression "{ inherit inputs; }";
          description = "Extra arguments passed to every module of the container's configuration.";
        };

        autoStart = mkOption {
          type = types.bool;
          default = true;
          example = false;
          description = "Whether the container starts at boot, with `machines.target`.";
        };
        timeoutStartSec = mkOption {
          type = types.str;
          default = "5min";
          example = "15min";
          description = ''
            How long its start may take until the container's systemd reports ready (`TimeoutStartSec=`): a first
            start runs the container's whole activation, and many containers starting with the host share its
            CPUs and disks.
          '';
        };
        restart = mkOption {
          type = types.enum [ "no" "on-success" "on-failure" "on-abnormal" "on-watchdog" "on-abort" "always" ];
          default = "on-failure";
          example = "always";
          description = ''
            When the unit starts the container again after it ended (`Restart=`; nixpkgs' containers use
            `on-failure`): after a crash of its init, an OOM kill at `MemoryMax` or a killed launcher, not after
            a poweroff. A reboot inside always restarts it, with a fresh root. At most 5 starts a minute, then the
            unit stays failed until the minute has passed or `systemctl reset-failed`.
          '';
        };
        linkJournal = mkOption {
          type = types.enum [ "no" "host" "try-host" "guest" "try-guest" "auto" ];
          default = "try-host";
          example = "no";
          description = ''
            Where the container's journal lives (`--link-journal=`, see nixos-nspawn(1)). `try-host`: in the
            host's `/var/log/journal/MACHINE-ID` (when the host keeps a persistent journal), so it outlives a
            crash or a restart: `journalctl -M NAME` while it runs, `journalctl -D /var/log/journal/MACHINE-ID`
            after; a restart appends. It takes room on the host's disk, capped by the container's own journald
            (`SystemMaxUse=`: by default 10% of that file system, at most 4 GiB). `no` or `guest`: on the
            container's tmpfs, gone when it stops.
          '';
        };
        restartIfChanged = mkOption {
          type = types.bool;
          default = true;
          example = false;
          description = ''
            Whether `nixos-rebuild switch` restarts the container when anything that changes what runs changed:
            its toplevel, bind mounts, tmpfs, network settings, credentials' sources, launcher arguments or unit
            settings. When only the toplevel changed, `activation.strategy` decides.
          '';
        };
        activation.strategy = mkOption {
          type = types.enum [ "restart" "switch" ];
          default = "restart";
          example = "switch";
          description = ''
            What `nixos-rebuild switch` does when only the container's toplevel changed. `restart`: a fresh
            start of the new system. `switch`: a live update (`nixos-nspawnctl update NAME --strategy switch`):
            the new closure's paths are mounted into the running container and its
            `switch-to-configuration test` runs inside; the tool falls back to a restart where that is not
            possible. Any other change restarts it either way.
          '';
        };

        privateUsers = mkOption {
          type = types.str;
          default = "pick";
          example = "1879048192:65536";
          description = ''
            The user namespace: `pick` (a free 64K UID range, the same one per name while it is free),
            `BASE[:SIZE]` (a fixed range), or `no` (share the host's users: root inside is root outside; only
            for trusted containers).
          '';
        };
        binds = mkOption {
          type = types.attrsOf (types.submodule bindModule);
          default = { };
          example = literalExpression ''
            {
              "/var/lib/postgresql" = { hostPath = "/srv/db"; };
              "/etc/ssl/certs/ca.pem" = { hostPath = "/etc/ssl/certs/ca.pem"; readOnly = true; };
            }
          '';
          description = ''
            Bind mounts from the host, by path in the container: the only state that survives a restart.
          '';
        };
        tmpfs = mkOption {
          type = types.listOf types.str;
          default = [ ];
          example = [ "/var/cache:mode=0755,size=512M" "/srv/scratch:0700" ];
          description = ''
            Empty tmpfs mounts, owned by the container's root: `PATH`, `PATH:MODE` (octal) or, as
            systemd-nspawn and nixpkgs' containers take them, `PATH:OPTIONS` with comma-separated `mode=`,
            `size=` (`N`, `Nk`, `Nm`, `Ng` or a share of RAM `N%`) and `nr_inodes=`. Other tmpfs options are
            refused by the launcher (at build time: `nixos-nspawn --check`).
          '';
        };
        credentials = mkOption {
          type = types.attrsOf (types.submodule credentialModule);
          default = { };
          example = literalExpression ''
            {
              db-password.file = "/run/secrets/web-db";
              ca-url.text = "https://ca.example.internal";
            }
          '';
          description = ''
            systemd credentials for the container's services, by ID: each with exactly one of `file` (read at
            start, never copied into the store) or `text` (stored world-readable in the Nix store).
          '';
        };
        capabilities = {
          add = mkOption {
            type = types.listOf types.str;
            default = [ ];
            example = [ "CAP_NET_ADMIN" ];
            description = "Capabilities given to the container's root beyond the default set (`--capability=`).";
          };
          drop = mkOption {
            type = types.listOf types.str;
            default = [ ];
            example = [ "CAP_SYS_PTRACE" ];
            description = "Capabilities taken from the default set (`--drop-capability=`).";
          };
        };
        systemCallFilter = mkOption {
          type = types.listOf types.str;
          default = [ ];
          example = [ "@clock" "~@obsolete" ];
          description = ''
            System call filter entries added to the default allow-list (`--system-call-filter=`); a leading `~`
            denies. io_uring is refused unless listed here (`"@io_uring"`): see nixos-nspawn(1).
          '';
        };
        extraArgs = mkOption {
          type = types.listOf types.str;
          default = [ ];
          example = [ "--setenv=TZ=UTC" "--kill-signal=SIGRTMIN+4" ];
          description = ''
            Further launcher arguments (`nixos-nspawn --help`). No argument may contain whitespace, quotes,
            backslashes or `$`: they travel in the settings file `/etc/nixos-nspawn/<name>.conf`.
          '';
        };
        serviceConfig = mkOption {
          type = types.attrsOf types.unspecified;
          default = { };
          example = {
            MemoryMax = "2G";
            CPUQuota = "150%";
            TasksMax = 4096;
          };
          description = ''
            Settings for the `[Service]` section of the container's unit `nixos-nspawn@<name>.service`
            (resource limits and the like), as in `systemd.services.<name>.serviceConfig`. The whole unit is
            reachable as `systemd.services."nixos-nspawn@<name>"` too.
          '';
        };

        network = {
          private = mkOption {
            type = types.bool;
            default = true;
            example = false;
            description = ''
              Whether the container gets a network namespace of its own. `false` shares the host's network
              (then no veth, zone, bridge, macvlan, interface or port forward).
            '';
          };
          veth = {
            enable = mkOption {
              type = types.bool;
              default = true;
              example = false;
              description = ''
                A veth pair: `ve-<name>` on the host, `host0` inside, each configured by systemd-networkd
                (DHCP, NAT, IPv6 link-local, mDNS by default). Past 12 characters of name, `ve-<name>` would be
                longer than an interface name may be (15): the launcher then names the link `ve-` and a hash of the
                name, with `ve-<name>` as its altname (`ip link` shows both).
              '';
            };
            zone = mkOption {
              type = types.nullOr types.str;
              default = null;
              example = "lab";
              description = ''
                Put the host end into the bridge `vz-<zone>` (as `vb-<name>`), shared by the zone's containers,
                which reach each other as `<name>.local`. Letters, digits and `-`; past 12 characters the bridge
                is named `vz-` and a hash of the zone, with `vz-<zone>` as its altname.
              '';
            };
            config.host = mkOption {
              type = types.nullOr networkType;
              default = null;
              example = literalExpression ''
                {
                  networkConfig.DHCPServer = false;
                  address = [ "fc42::1/64" "192.168.42.1/24" ];
                }
              '';
              description = ''
                systemd-networkd settings for the host end (the zone's bridge with `zone`), in
                `systemd.network.networks.<name>` form, merged over the launcher's defaults: a key given here
                replaces that key of the defaults, sections merge. No `matchConfig`: the launcher matches.
              '';
            };
            config.container = mkOption {
              type = types.nullOr networkType;
              default = null;
              example = literalExpression ''
                {
                  networkConfig.DHCP = false;
                  address = [ "fc42::2/64" "192.168.42.2/24" ];
                  gateway = [ "fc42::1" "192.168.42.1" ];
                }
              '';
              description = ''
                systemd-networkd settings for `host0` inside, in `systemd.network.networks.<name>` form,
                merged over the launcher's defaults like `config.host`.
              '';
            };
          };
          bridge = mkOption {
            type = types.nullOr types.str;
            default = null;
            example = "br0";
            description = ''
              Join an existing host bridge: the host end of the veth becomes a port of it (`vb-<name>`) and the
              container is on the bridge's network (`--network-bridge=`, as systemd-nspawn's). The launcher
              configures no address on the host side then.
            '';
          };
          macvlans = mkOption {
            type = types.listOf types.str;
            default = [ ];
            example = [ "eth1" ];
            description = ''
              Host interfaces on which the container gets a macvlan, `mv-<interface>` inside (for an interface
              name past 12 characters, `mv-` and a hash of it, with `mv-<interface>` as altname). The launcher
              configures it; a guest's own `systemd.network.networks` entry matching it is refused.
            '';
          };
          interfaces = mkOption {
            type = types.listOf types.str;
            default = [ ];
            example = [ "eth2" ];
            description = "Host interfaces moved into the container while it runs.";
          };
          namespace = {
            export = mkOption {
              type = types.bool;
              default = false;
              example = true;
              description = ''
                Bind the container's network namespace at `/run/netns/<name>` while it runs, for
                `ip netns exec` and host services with `NetworkNamespacePath=`. Implied by `forwardPorts` and
                `network.namespace.services`.
              '';
            };
            path = mkOption {
              type = types.nullOr types.str;
              default = null;
              example = "/run/netns/vpn";
              description = ''
                Join this existing network namespace instead of creating one (no veth, zone, bridge, macvlan,
                interface, export or port forward then).
              '';
            };
            services = mkOption {
              type = types.listOf types.str;
              default = [ ];
              example = [ "transmission" ];
              description = ''
                Host services (names in `systemd.services`) that run in this container's network namespace:
                they get `NetworkNamespacePath=/run/netns/<name>`, are bound to the container's unit and
                ordered after it (custom per-service routing).
              '';
            };
          };
        };
        forwardPorts = mkOption {
          type = types.listOf (types.submodule forwardPortModule);
          default = [ ];
          example = literalExpression ''
            [ { hostPort = 8080; containerPort = 80; } ]
          '';
          description = ''
            Host ports forwarded into the container, TCP and UDP, over IPv4 and IPv6, keeping the client's address
            (as systemd-nspawn's `--port`): the launcher's `--port`, DNAT in the host's nftables (a table of its own,
            `inet nixos-nspawn`, next to the NixOS firewall, iptables-nft or `networking.nftables`) to the
            container's address as DHCP gives it, added again after a firewall reload and removed at stop. DNAT
            cannot reach the host's own loopback: for TCP a socket unit on `127.0.0.1`/`::1` and a proxy in the
            container's network namespace serve those (connections from the host to `localhost:<hostPort>`; they
            arrive from the container's own `127.0.0.1`). Costs: libnftables in the launcher's monitor while the
            container runs (its resident memory 4.6 MiB instead of 0.6 MiB, measured: 1.2 MiB of it private, the
            rest the libraries' pages, shared by every container), one nftables transaction per address change.
          '';
        };
      };
    };
in
{
  options.nixos-nspawn = {
    package = mkOption {
      type = types.package;
      default = pkgs.nixos-nspawn or (pkgs.callPackage ./package.nix { });
      defaultText = literalExpression "pkgs.nixos-nspawn";
      example = literalExpression "inputs.nixos-nspawn.packages.\${pkgs.stdenv.hostPlatform.system}.default";
      description = "The nixos-nspawn package: the launcher, `nixos-nspawnctl` and the unit template.";
    };
    resolved.enable = mkOption {
      type = types.bool;
      default = false;
      example = true;
      description = ''
        Whether to run systemd-resolved on the host, with mDNS, so that the host reaches each container with a
        veth as `<name>.local`. Off by default: resolved then becomes the host's DNS (`/etc/resolv.conf`, and
        NetworkManager's `dns = "systemd-resolved"`). Where resolved runs anyway (`services.resolved.enable`),
        mDNS is turned on for it either way; the containers' own links are the only ones it is used on.
      '';
    };
    imports = mkOption {
      type = types.listOf types.deferredModule;
      default = [ ];
      example = literalExpression ''
        [ { services.getty.helpLine = "an ephemeral nixos-nspawn container"; } ]
      '';
      description = "NixOS modules added to the configuration of every container that uses `config`.";
    };
    containers = mkOption {
      type = types.attrsOf (types.submodule containerModule);
      default = { };
      example = literalExpression ''
        {
          web.config = { pkgs, ... }: { environment.systemPackages = [ pkgs.htop ]; };
        }
      '';
      description = "Always-ephemeral NixOS containers, each run by `nixos-nspawn@<name>.service`.";
    };
  };
}
