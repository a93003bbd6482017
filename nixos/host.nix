# The host module: `nixos-nspawn.containers.<name>`. Each container is an instance of the template unit the
# package ships, nixos-nspawn@NAME.service, whose launcher arguments are in /etc/nixos-nspawn/NAME.conf, the same
# layout nixos-nspawnctl uses for its own containers. Host networkd units for ve-*/vz-* come from the launcher
# (it writes them at start); here only networkd, resolved, the firewall and the unit settings are arranged.
{ config, lib, pkgs, options, ... }:
let
  inherit (lib)
    concatLists concatStringsSep filter length listToAttrs mapAttrs mapAttrs'
    mapAttrsToList mkDefault mkIf mkMerge mkOverride nameValuePair optional optionalAttrs optionals unique;

  cfg = config.nixos-nspawn;
  plan = import ./plan.nix { inherit lib pkgs; };

  fragmentPath = name: side: "/etc/nixos-nspawn/${name}.${side}.network";
  plans = mapAttrs (name: c: plan.containerPlan {
    inherit name c;
    inherit (cfg) imports;
    fragmentFile = side: _text: fragmentPath name side;
  }) cfg.containers;

  vethOf = c: c.network.private && c.network.namespace.path == null;
  # The launcher names host ends ve-NAME and vz-ZONE (hashed and shortened past 15 characters, the full name as
  # altname), so the firewall matches them by prefix: iptables spells the wildcard '+', nftables '*'.
  wildcard = if config.networking.nftables.enable or false then "*" else "+";
  hostLinks =
    optional (lib.any (c: vethOf c && c.network.bridge == null && c.network.veth.zone == null && c.network.veth.enable) (lib.attrValues cfg.containers)) "ve-${wildcard}"
    ++ optional (lib.any (c: vethOf c && c.network.bridge == null && c.network.veth.zone != null) (lib.attrValues cfg.containers)) "vz-${wildcard}";
  usesNetworkd = hostLinks != [ ] || lib.any (c: vethOf c && c.network.bridge != null) (lib.attrValues cfg.containers);
  # The host ends of the launcher's veths: ve-NAME, vb-NAME (a port of a bridge), and the zones' bridges vz-ZONE.
  containerLinkGlobs = [ "ve-*" "vb-*" "vz-*" ];
  # networkd manages host links of the host's own: as its networking backend, or with networks it declared.
  hostUsesNetworkd = config.networking.useNetworkd || config.systemd.network.networks != { };

  # One socket per host address and port: the address is part of the name (127.0.0.1 → 127-0-0-1, ::1 → --1).
  forwardName =
    name: f:
    "nixos-nspawn-fwd-${name}-${toString f.hostPort}"
    + lib.optionalString (f.hostAddress != null) "-${lib.replaceStrings [ "." ":" "%" ] [ "-" "-" "-" ] f.hostAddress}";
  listenAddress = f: a: if lib.hasInfix ":" a then "[${a}]:${toString f.hostPort}" else "${a}:${toString f.hostPort}";
  forwards = concatLists (mapAttrsToList (name: c: map (f: { inherit name f; }) c.forwardPorts) cfg.containers);
  # the rest is DNAT by the launcher (--port): a proxy only for the host's own loopback (plan.nix)
  proxied = filter (x: plan.proxyAddresses x.f != [ ]) forwards;

  namespaceServices = concatLists (
    mapAttrsToList (name: c: map (svc: { inherit name svc; }) c.network.namespace.services) cfg.containers
  );

  # switch-to-configuration compares unit files: what a trigger names is what makes it restart (or reload).
  containerUnit =
    name: c:
    let
      p = plans.${name};
      # (A NixOS that is itself a container runs no udev: the device units would never appear.)
      deps = plan.hostDependencies { inherit c; udev = !config.boot.isContainer; };
      switch = c.activation.strategy == "switch";
    in
    {
      overrideStrategy = "asDropin";
      wantedBy = optional c.autoStart "machines.target";
      # Start order on the host: bind sources mounted, devices present (plan.nix, hostDependencies, says why).
      unitConfig = optionalAttrs (deps.mounts != [ ]) { RequiresMountsFor = deps.mounts; } // {
        # machinectl's handle (machinectlUnit) is BindsTo= this unit, so a crash stops it: back once restarted
        Upholds = "systemd-nspawn@${name}.service";
      };
      bindsTo = deps.bound;
      requires = deps.required;
      after = deps.bound ++ deps.required;
      inherit (c) restartIfChanged;
      # Everything but the toplevel always restarts: binds, network, credentials' sources, arguments.
      restartTriggers = p.args.rest ++ filter (f: f != null) (lib.attrValues p.fragments)
        ++ optionals (!switch) p.args.system;
      # The system: its toplevel and, for a prebuilt one, the closure file that comes with it.
      reloadTriggers = optionals switch ([ (toString p.sys.toplevel) ] ++ optional (c.closureFile != null) c.closureFile);
      serviceConfig = {
        TimeoutStartSec = c.timeoutStartSec;
        Restart = c.restart;
      } // optionalAttrs switch {
        # The new system comes from the settings file, read at each reload: naming it here would change the unit
        # with every toplevel, and switch-to-configuration restarts a unit whose [Service] changed.
        ExecReload = "${cfg.package}/bin/nixos-nspawnctl update %i --strategy switch --system $NIXOS_NSPAWN_SYSTEM"
          + lib.optionalString (p.sys.closureFile != null) " --closure $NIXOS_NSPAWN_CLOSURE";
      } // c.serviceConfig;
    };

  # `machinectl start NAME` starts systemd-nspawn@NAME.service: this drop-in makes it a process-less handle bound to
  # nixos-nspawn@NAME, so the container's settings (limits, timeout, forward sockets, restarts) have one definition
  # (units/systemd-nspawn-dropin.conf.in is the same for other distributions; docs/systemd.md says why).
  machinectlUnit = name: {
    overrideStrategy = "asDropin";
    bindsTo = [ (plan.unitName name) ];
    after = [ (plan.unitName name) ];
    # No PropagatesStopTo=: a crash stops the handle (BindsTo=), and that stop, propagated, would cancel the
    # container's Restart=on-failure (the systemd test host's 25-journal-restart.sh saw it). The container's unit
    # Upholds= the handle instead; machinectl stop/poweroff/terminate act on the container's unit itself.
    serviceConfig = {
      Type = "oneshot";
      RemainAfterExit = true;
      # (systemd refuses a service without a command: this one checks what After= already waited for)
      ExecStart = [ "" "${config.systemd.package}/bin/systemctl is-active --quiet ${plan.unitName name}" ];
      # its restart on 133 is nixos-nspawn@NAME's to do (and refused for Type=oneshot)
      RestartForceExitStatus = "";
      WatchdogSec = 0;
    };
  };

  # The launcher's own verdict at build time (nixos/check.sh: `nixos-nspawn --check`), so `nixos-rebuild build`
  # fails with the launcher's message and the container's name instead of a start failing later. The same
  # arguments, with the override fragments as store files (the /etc paths are not in the build sandbox); the
  # system's paths lose their context, as --check reads neither closure nor init: the check need not wait for
  # the container's system to be built.
  launcherCheck =
    name: c:
    let
      a = plan.launcherArgs {
        inherit name c;
        inherit (plans.${name}) sys;
        fragmentFile = side: text: pkgs.writeText "nixos-nspawn-${name}-${side}.network" text;
      };
      args = map builtins.unsafeDiscardStringContext a.system ++ a.rest;
    in
    pkgs.runCommand "nixos-nspawn-check-${name}" { } ''
      ${pkgs.runtimeShell} ${./check.sh} ${cfg.package}/bin/nixos-nspawn ${lib.escapeShellArg name} ${lib.escapeShellArgs args}
      touch $out
    '';

  resolvedMdns =
    if options.services.resolved ? settings then { settings.Resolve.MulticastDNS = mkDefault true; }
    else { extraConfig = "MulticastDNS=yes"; };

  opt = name: o: "nixos-nspawn.containers.${name}.${o}";
  assertions =
    concatLists (mapAttrsToList (name: c: plan.containerAssertions { inherit name c; inherit (plans.${name}) args; }) cfg.containers)
    ++ map (z: {
      assertion = false;
      message = "${concatStringsSep " and " (map (n: opt n "network.veth.config.host") z.members)} give zone '${z.zone}''s bridge vz-${z.zone} different settings: each start writes the bridge's unit from its own, so the last to start would win; give every member of the zone the same.";
    }) (plan.zoneDisagreements cfg.containers)
    ++ map (x: {
      assertion = false;
      message = "${opt x.a.name "network.interfaces"} moves host interface '${x.a.ifname}' into ${x.a.name}, but ${opt x.b.name "network.${x.b.how}"} uses it too: a moved interface is gone from the host while ${x.a.name} runs.";
    }) (plan.interfaceConflicts cfg.containers)
    # A guest's own unit for a link the launcher configures would be silently ignored (ours sorts first, and
    # networkd takes the first file matching a link): refused, naming both, rather than one of them quietly losing.
    ++ concatLists (mapAttrsToList (name: c: map (x: {
      assertion = false;
      message = "${opt name "config"}.systemd.network.networks.\"${x.unit}\" matches ${x.link}, which the launcher configures itself (its unit wins, and the guest's would be ignored): put these settings in ${opt name x.option}${lib.optionalString (x.link == "host0") " (merged over the launcher's defaults)"} instead.";
    }) (plan.guestLinkClashes { inherit c; inherit (plans.${name}) guestConfig; })) cfg.containers)
    ++ concatLists (mapAttrsToList (name: c: map (x: {
      assertion = false;
      message = "${opt name "config"}.services.${x.service} binds port ${toString x.port}, but with network.private = false and privateUsers = '${c.privateUsers}' root inside cannot bind ports below 1024 of the host's network: set privateUsers = \"no\", or give the container a network of its own.";
    }) (lib.optionals (plan.hostNetworkWithRange c && plans.${name}.guestConfig != null) (plan.lowPortServices plans.${name}.guestConfig))) cfg.containers)
    ++ map (x: {
      assertion = false;
      message = "nixos-nspawn.containers.${x.a.container}.forwardPorts and nixos-nspawn.containers.${x.b.container}.forwardPorts both forward host port ${toString x.a.hostPort}/${x.a.protocol}${lib.optionalString (x.a.hostAddress != null && x.a.hostAddress == x.b.hostAddress) " on ${x.a.hostAddress}"}${lib.optionalString (x.a.hostAddress != x.b.hostAddress) " on ${if x.a.hostAddress == null then "every address" else x.a.hostAddress} and ${if x.b.hostAddress == null then "every address" else x.b.hostAddress}"}${x.why}: the second socket would fail with EADDRINUSE.";
    }) (plan.forwardCollisions cfg.containers)
    ++ map (s: {
      assertion = let u = config.systemd.services.${s.svc}; in (u.script or "") != "" || u.serviceConfig ? ExecStart;
      message = "nixos-nspawn.containers.${s.name}.network.namespace.services: '${s.svc}' is not a service with ExecStart= or script in systemd.services.";
    }) namespaceServices
    ++ map (svc: {
      assertion = false;
      message = "nixos-nspawn.containers.*.network.namespace.services: '${svc}' is named by ${concatStringsSep " and " (map (s: s.name) (filter (s: s.svc == svc) namespaceServices))}; a service has one network namespace.";
    }) (filter (svc: length (filter (s: s.svc == svc) namespaceServices) > 1) (unique (map (s: s.svc) namespaceServices)));
in
{
  imports = [ (import ./options.nix { inherit lib pkgs; networkType = options.systemd.network.networks.type.nestedTypes.elemType; }) ];

  config = mkIf (cfg.containers != { }) (mkMerge [ {
    inherit assertions;

    systemd.packages = [ cfg.package ];
    environment.systemPackages = [ cfg.package ];

    environment.etc = mkMerge (mapAttrsToList (name: p: {
      "nixos-nspawn/${name}.conf".text = p.conf;
      "nixos-nspawn/${name}.host.network" = mkIf (p.fragments.host != null) { text = p.fragments.host; };
      "nixos-nspawn/${name}.container.network" = mkIf (p.fragments.container != null) { text = p.fragments.container; };
    }) plans);

    systemd.services = mkMerge [
      # networkd holds 5 or 6 sockets for each container's host end (DHCP server, LLDP, IPv4 link-local, router
      # advertisements), against a soft RLIMIT_NOFILE of 1024 that it does not raise itself: past about 170–200
      # containers it fails the next links ("Could not start DHCPv4 server instance: Too many open files"), whose
      # containers never get a lease (docs/benchmarks.md section 9). Weaker than mkDefault, like the sysctl below.
      (mkIf usesNetworkd { systemd-networkd.serviceConfig.LimitNOFILE = mkOverride 1100 "65536:524288"; })
      (mapAttrs' (name: c: nameValuePair "nixos-nspawn@${name}" (containerUnit name c)) cfg.containers)
      (mapAttrs' (name: c: nameValuePair "systemd-nspawn@${name}" (machinectlUnit name)) cfg.containers)
      (listToAttrs (map (s: nameValuePair s.svc {
        bindsTo = [ (plan.unitName s.name) ];
        after = [ (plan.unitName s.name) ];
        serviceConfig.NetworkNamespacePath = plan.netnsPath s.name;
      }) namespaceServices))
      (listToAttrs (map (x: nameValuePair (forwardName x.name x.f) {
        description = "Forward host port ${toString x.f.hostPort} on loopback to container ${x.name}";
        bindsTo = [ (plan.unitName x.name) ];
        after = [ (plan.unitName x.name) ];
        requires = [ "${forwardName x.name x.f}.socket" ];
        serviceConfig = {
          ExecStart = "${config.systemd.package}/lib/systemd/systemd-socket-proxyd 127.0.0.1:${toString (if x.f.containerPort != null then x.f.containerPort else x.f.hostPort)}";
          NetworkNamespacePath = plan.netnsPath x.name;
          DynamicUser = true;
          PrivateTmp = true;
          ProtectSystem = "strict";
          ProtectHome = true;
        };
      }) proxied))
    ];

    systemd.sockets = listToAttrs (map (x: nameValuePair (forwardName x.name x.f) {
      description = "Host port ${toString x.f.hostPort} of container ${x.name}";
      wantedBy = [ (plan.unitName x.name) ];
      partOf = [ (plan.unitName x.name) ];
      listenStreams = map (listenAddress x.f) (plan.proxyAddresses x.f);
      socketConfig = { FreeBind = true; }; # (::1 may be missing: a host with IPv6 off)
    }) proxied);

    # machinectl start refuses a name it finds no image for: an empty directory stands in (never used). Missing
    # bind sources are created owned by whom root inside writes as (binds.<path>.createHostPath).
    systemd.tmpfiles.rules = mapAttrsToList (name: _: "d /var/lib/machines/${name} 0700 root root -") cfg.containers
      ++ concatLists (mapAttrsToList (_: plan.bindCreations) cfg.containers);

    systemd.targets.machines.wantedBy = mkIf (lib.any (c: c.autoStart) (lib.attrValues cfg.containers)) [ "multi-user.target" ];

    networking.firewall.interfaces = listToAttrs (map (l: nameValuePair l {
      allowedUDPPorts = [ 67 5353 ]; # DHCP server, mDNS
    }) hostLinks);
    networking.firewall.allowedTCPPorts = unique (map (x: x.f.hostPort) (filter (x: x.f.openFirewall && x.f.protocol == "tcp") forwards));
    networking.firewall.allowedUDPPorts = unique (map (x: x.f.hostPort) (filter (x: x.f.openFirewall && x.f.protocol == "udp") forwards));

    # networkd runs for the containers' links only: the launcher writes .network units matching ve-*/vz-*/vb-*
    # (with RequiredForOnline=no, so they never hold up network-online.target). The host's own networking stays
    # what it is (scripted, NetworkManager or networkd): no networking.useNetworkd here, which would move the
    # whole host to networkd (dhcpcd off, its DHCP and default gateway moved, networkd's assertions).
    systemd.network.enable = mkIf usesNetworkd (mkDefault true);
    # Where networkd manages none of the host's own links, systemd-networkd-wait-online would find nothing to
    # wait for and hold network-online.target up until its timeout: the host's own backend (dhcpcd,
    # NetworkManager-wait-online) answers for the host instead. Weaker than mkDefault, like the sysctl below.
    systemd.network.wait-online.enable = mkIf (usesNetworkd && !hostUsesNetworkd) (mkOverride 1100 false);
    # Where it runs, it never waits for a container's link, whatever .network of the host's own matches one (a
    # port of the host's bridge, a catch-all): wait-online matches these globs against names and altnames.
    systemd.network.wait-online.ignoredInterfaces = mkIf usesNetworkd containerLinkGlobs;

    # resolved is the host's DNS once enabled (/etc/resolv.conf, NetworkManager's dns = "systemd-resolved"):
    # enabled only when asked for; where it runs anyway, it gets mDNS for the containers' NAME.local.
    services.resolved = mkMerge [
      (mkIf cfg.resolved.enable { enable = true; })
      (mkIf (usesNetworkd && config.services.resolved.enable) resolvedMdns)
    ];

    warnings = mapAttrsToList (name: c: "${opt name "network.private"} = false with privateUsers = '${c.privateUsers}': the container shares the host's network but not its users, so its services cannot bind ports below 1024 (EACCES); set privateUsers = \"no\" if one must.")
      (lib.filterAttrs (_: plan.hostNetworkWithRange) cfg.containers)
      ++ optional (usesNetworkd && !config.systemd.network.enable) ''
      nixos-nspawn: systemd.network.enable = false, so nothing applies the launcher's networkd units for the
      containers' veths (${concatStringsSep ", " (lib.attrNames (lib.filterAttrs (_: vethOf) cfg.containers))}):
      their host ends get no address, no DHCP server, no NAT and no mDNS, and the containers no network
      beyond their own link, unless the host configures ve-*/vz-*/vb-* itself.'';

    # Every container's systemd takes inotify instances, all charged to the host's root; the default of 128 runs
    # out after a few containers ("Too many open files"). Weaker than every nixpkgs module that sets it
    # (graphical-desktop.nix: mkDefault 524288; incus.nix: mkOverride 1050 1048576), so a larger limit
    # they set wins instead of conflicting or being lowered to this one.
    boot.kernel.sysctl."fs.inotify.max_user_instances" = mkOverride 1100 8192;
  }
  # (NixOS 23.05 and later: derivations the system's build depends on. nixos-eval has no system.checks; there
  # `make check-nixos` runs nixos/check.sh itself on every container it renders.)
  (optionalAttrs (options ? system && options.system ? checks) {
    system.checks = mapAttrsToList launcherCheck cfg.containers;
  })
  # Keep the host's other network managers off the containers' links, as nixpkgs' own containers do. Guarded for
  # module sets without these NixOS modules (nixos-eval); every NixOS declares both.
  (optionalAttrs (options.networking ? dhcpcd) {
    networking.dhcpcd.denyInterfaces = mkIf usesNetworkd containerLinkGlobs;
  })
  # NetworkManager also gets the macvlans (mv-*), made on the host and moved into the container: it would try to
  # configure them in between.
  (optionalAttrs (options.networking ? networkmanager) {
    networking.networkmanager.unmanaged = mkIf config.networking.networkmanager.enable
      (map (g: "interface-name:${g}") (containerLinkGlobs ++ [ "mv-*" ]));
  })
  ]);
}
