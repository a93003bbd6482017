# The guest module: what every nixos-nspawn container's NixOS configuration gets. The launcher has already
# mounted /nix/store (the closure, read-only; idmapped so it looks root-owned where the store's file system allows
# it, else owned by nobody), /run, /tmp, /dev, /proc and /sys, and writes the networkd unit for host0 and a
# resolved drop-in enabling mDNS into the container's /run.
#
# NixOS's own container defaults (nixos/modules/virtualisation/container-config.nix, loaded by every
# configuration with boot.isContainer) come first; where this module disagrees with one, it says so at a priority
# that beats that definition and still yields to the container's configuration:
#   - container-config's `mkDefault` (1000) is beaten by `mkOverride 900`, which a plain definition (100) beats;
#   - its plain definitions (100) are beaten by `mkOverride 90`, which a `mkForce` (50) beats (the configuration
#     needs mkForce there anyway, against container-config's own plain definition).
# Where this module only offers a default of its own, it uses a priority weaker than `mkDefault`, so that a
# `mkDefault` elsewhere (a shared module, nixos-generate-config's output, NixOS's own modules) wins, not conflicts.
# Kept as NixOS sets them, on purpose: `security.audit.enable = false` (the kernel refuses audit to a user
# namespace) and `services.udev.enable = false` (the launcher makes /dev; there is no udev inside to run).
{ config, lib, options, ... }:
let
  inherit (lib) mkIf mkMerge mkOverride optionalAttrs;

  # Beats container-config.nix's mkDefault, yields to a plain definition (or mkForce) of the configuration.
  overContainerDefault = mkOverride 900;
  # Weaker than mkDefault (1000), stronger than an option's declared default (1500).
  weakDefault = mkOverride 1400;

  # nixpkgs' users-groups.nix: these five set root's password; setting a second one warns ("multiple of the
  # options ... set"), and with users.mutableUsers = false it turns initialHashedPassword into a mkDefault
  # hashedPassword. Read where declared (every NixOS; not nixos-eval's untyped users.users, where reading an
  # undeclared attribute of root would depend on this module's own definition of root).
  userOptions = options.users.users.type.getSubOptions [ ];
  rootPasswordSet = lib.any (o: userOptions ? ${o} && config.users.users.root.${o} != null)
    [ "password" "hashedPasswordFile" "initialPassword" "initialHashedPassword" ];
in
{
  config = mkMerge [
    {
      boot.isContainer = true;

      # networkd configures host0 from the unit the launcher writes; resolved answers and asks NAME.local (mDNS).
      # (useDHCP: nixos-generate-config writes `networking.useDHCP = lib.mkDefault true;` into
      # hardware-configuration.nix, which a module shared with the container may carry.)
      networking.useNetworkd = weakDefault true;
      networking.useDHCP = weakDefault false;
      systemd.network.enable = weakDefault true;
      services.resolved.enable = weakDefault true;
      # container-config.nix sets this to `mkDefault true`: resolv.conf would be a copy of the host's, which the
      # launcher does not provide (and resolved refuses to run with it); resolved's stub is used instead.
      networking.useHostResolvConf = overContainerDefault false;
      networking.firewall.interfaces.host0.allowedUDPPorts = [ 5353 ];

      # The store is the closure, read-only: no nix-daemon (and no host daemon socket) unless asked for.
      nix.enable = weakDefault false;

      # Locked, not empty: `machinectl shell NAME` (through machined, as root of the host) is the way in. Only
      # when the configuration sets none of root's other password options (else null, as if unset), and weaker
      # than mkDefault, so that users-groups.nix's own `mkDefault` (mutableUsers = false with
      # initialHashedPassword) and any hashedPassword of the configuration win instead of conflicting or
      # warning. A value, not a mkIf: whether the attribute exists must not depend on root's other attributes.
      users.users.root.hashedPassword = weakDefault (if rootPasswordSet then null else "!");
    }

    # container-config.nix sets NIX_REMOTE = "daemon" ("use the host's nix-daemon"): there is no daemon socket in
    # here, so a nix command would fail on a socket that cannot exist. Without a nix-daemon of the container's
    # own, the variable is unset (null: nixpkgs' shells-environment.nix drops it); a configuration that wants
    # another value sets it with mkForce. Guarded, like the next block, only for module sets that lack the
    # option (nixos-eval); every NixOS declares it.
    (optionalAttrs (options.environment ? variables) {
      environment.variables.NIX_REMOTE = mkIf (!config.nix.enable) (mkOverride 90 null);
    })

    # With users.mutableUsers = false NixOS refuses a system where neither root nor a wheel user can log in with
    # a password: a lock-out that cannot happen here, since the way in is `machinectl shell` from the host.
    (optionalAttrs (options.users ? allowNoPasswordLogin) {
      users.allowNoPasswordLogin = weakDefault true;
    })
  ];
}
