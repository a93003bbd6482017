# What each container becomes, as pure functions of its options: the launcher's arguments, the settings file
# `/etc/nixos-nspawn/NAME.conf` (the layout nixos-nspawnctl shares), the networkd override fragments, and the
# checks of bad configurations. Used by host.nix (NixOS hosts) and lib.nix (project flakes on other hosts).
{ lib, pkgs }:
let
  inherit (lib)
    concatLists concatMap concatStringsSep filter hasPrefix mapAttrsToList optional
    optionals optionalString stringLength;

  # Linux interface names have at most 15 characters (IFNAMSIZ - 1).
  ifnameMax = 15;

  # ---- networkd fragments in systemd.network.networks form → the launcher's override files --------------------

  iniValue =
    v:
    if v == true then "yes"
    else if v == false then "no"
    else toString v;
  iniLines =
    attrs:
    concatStrings (mapAttrsToList (
      k: v: concatStrings (map (x: "${k}=${iniValue x}\n") (if builtins.isList v then v else [ v ]))
    ) (lib.filterAttrs (_: v: v != null) attrs));
  concatStrings = lib.concatStrings;
  section = title: attrs: optionalString (attrs != { }) "[${title}]\n${iniLines attrs}";
  # NixOS before 24.11 nested these as { routeConfig = …; }; both forms are accepted
  objects =
    title: inner: list:
    concatStrings (map (x: section title (x.${inner} or x)) list);
  listKeys = def: {
    Address = def.address or [ ];
    Gateway = def.gateway or [ ];
    DNS = def.dns or [ ];
    NTP = def.ntp or [ ];
    Domains = def.domains or [ ];
  };

  # One override fragment: only the sections the launcher merges (it refuses others, and [Match]: it matches).
  renderNetwork =
    def:
    let
      network = (def.networkConfig or { }) // lib.filterAttrs (_: v: v != [ ] && v != null) (listKeys def)
        // lib.optionalAttrs ((def.DHCP or null) != null) { inherit (def) DHCP; };
    in
    section "Link" (def.linkConfig or { })
    + section "Network" network
    + objects "Address" "addressConfig" (def.addresses or [ ])
    + objects "Route" "routeConfig" (def.routes or [ ])
    + section "DHCPv4" (def.dhcpV4Config or { })
    + section "DHCPv6" (def.dhcpV6Config or { })
    + section "IPv6AcceptRA" (def.ipv6AcceptRAConfig or { })
    + section "DHCPServer" (def.dhcpServerConfig or { })
    + section "IPv6SendRA" (def.ipv6SendRAConfig or { })
    + objects "IPv6Prefix" "ipv6PrefixConfig" (def.ipv6Prefixes or [ ])
    + optionalString ((def.extraConfig or "") != "") def.extraConfig;

  # The keys of a networks entry renderNetwork writes; any other key that is set would be dropped silently (with
  # lib.mkContainers, where no NixOS type checks the entry, a misspelled one too).
  renderedKeys = [
    "linkConfig" "networkConfig" "address" "gateway" "dns" "ntp" "domains" "addresses" "routes" "dhcpV4Config"
    "dhcpV6Config" "ipv6AcceptRAConfig" "dhcpServerConfig" "ipv6SendRAConfig" "ipv6Prefixes" "extraConfig" "DHCP"
  ];
  # set: not null, empty or the NixOS type's own default
  isSet = k: v: !(v == null || v == [ ] || v == { } || v == "" || (k == "enable" && v == true) || k == "name" && v == null);
  unknownNetworkKeys =
    # (tryEval: NixOS's removed options, such as dhcpConfig, throw when read)
    def: filter (k: !(lib.elem k renderedKeys) && !(lib.elem k unsupportedKeys)
      && (let t = builtins.tryEval (isSet k def.${k}); in t.success && t.value)) (lib.attrNames def);

  # Parts of a networks entry the launcher cannot take: they would be dropped silently otherwise.
  unsupportedKeys = [
    "matchConfig"
    "routingPolicyRules"
    "dhcpServerStaticLeases"
    "bridgeConfig"
    "cakeConfig"
    "bridgeFDBs"
    "bridgeMDBs"
    "lldpConfig"
  ];
  unsupportedNetworkParts =
    def: filter (k: (def.${k} or { }) != { } && (def.${k} or [ ]) != [ ] && (def.${k} or "") != "") unsupportedKeys;

  # ---- names ---------------------------------------------------------------------------------------------------

  # The launcher's rule for machine names (spawn/settings.c, machine_name_is_valid()), written once more here
  # because evaluation cannot ask it: a hostname of at most 64 characters, dot-separated labels of letters, digits
  # and '-' (not first or last), each at most 63. checks/nixos/cases/60-rules.sh feeds the same names to both and
  # expects the same verdict. A dotted name's first label is the guest's default hostName, the rest its domain.
  validLabel = l: builtins.match "[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?" l != null && stringLength l <= 63;
  validName = n: stringLength n <= 64 && lib.all validLabel (lib.splitString "." n);
  nameLabels = n: lib.splitString "." n;

  # Values travel in NIXOS_NSPAWN_ARGS="…", which systemd splits at whitespace when it expands
  # $NIXOS_NSPAWN_ARGS: an argument with a space would become two, a quote or backslash would end or escape
  # the value. Refused rather than escaped: there is no escaping that survives that split. The same characters
  # as nixos-nspawnctl refuses (ctl/conf.c, launcher_args_verify(); the settings file is also read by shells:
  # '$' and '`'), and control characters. ('%' is not one: systemd does not resolve specifiers in an
  # environment file's values, and --tmpfs=PATH:size=10% needs it.)
  unsafeArg = a: builtins.match ''.*[[:space:][:cntrl:]"'\\$`].*'' a != null;

  normalizedAbsolute =
    p:
    hasPrefix "/" p
    && builtins.match ".*(//|/\\./|/\\.\\./|/\\.$|/\\.\\.$).*" p == null
    && (p == "/" || builtins.match ".*/" p == null);
  overlapsStore = p: p == "/" || p == "/nix" || p == "/nix/store" || hasPrefix "/nix/store/" p;

  # The kernel's rule (dev_valid_name), plus ':' which the launcher's flags use as a separator.
  validIfname = n: stringLength n <= ifnameMax && n != "." && n != ".." && builtins.match "[^/:[:space:]]+" n != null;

  # Addresses as inet_pton takes them (systemd parses ListenStream= so): IPv4 dotted quads without leading zeros,
  # IPv6 with at most one "::", a dotted quad at the end and a %zone.
  validIPv4 =
    a:
    let m = builtins.match "(0|[1-9][0-9]{0,2})\\.(0|[1-9][0-9]{0,2})\\.(0|[1-9][0-9]{0,2})\\.(0|[1-9][0-9]{0,2})" a; in
    m != null && lib.all (x: lib.toInt x <= 255) m;
  validIPv6 =
    a:
    let
      parts = lib.splitString "%" a;
      addr = lib.head parts;
      zoneOk = lib.length parts == 1 || (lib.length parts == 2 && builtins.match "[a-zA-Z0-9_.-]+" (lib.elemAt parts 1) != null);
      groups = x: if x == "" then [ ] else lib.splitString ":" x;
      hex = g: builtins.match "[0-9a-fA-F]{1,4}" g != null;
      tailOk = gs: gs == [ ] || (lib.all hex (lib.init gs) && (hex (lib.last gs) || validIPv4 (lib.last gs)));
      width = gs: lib.length gs + (if gs != [ ] && validIPv4 (lib.last gs) then 1 else 0);
      halves = lib.splitString "::" addr;
      left = groups (lib.head halves);
      right = groups (lib.last halves);
    in
    zoneOk && lib.hasInfix ":" addr && (
      if lib.length halves == 1 then tailOk left && width left == 8
      else lib.length halves == 2 && lib.all hex left && tailOk right && width left + width right <= 7);
  validAddress = a: validIPv4 a || validIPv6 a;

  # What a forward's socket binds: no address or "::" every address of both families (systemd binds [::]:PORT,
  # which takes IPv4 too while net.ipv6.bindv6only is 0, the default), "0.0.0.0" every IPv4 address.
  forwardScope =
    f:
    let a = lib.toLower (toString f.hostAddress); in
    if f.hostAddress == null || a == "::" then { kind = "all"; }
    else if a == "0.0.0.0" then { kind = "ipv4"; }
    else { kind = "one"; address = a; family = if lib.hasInfix ":" a then 6 else 4; };

  # Which links a container asks for, as settings.c's verify_network() counts them: a veth (plain, in a zone or
  # in a host bridge), and with macvlans or moved interfaces any link at all. Said once, used everywhere below.
  asksVeth = c: c.network.veth.enable || c.network.veth.zone != null || c.network.bridge != null;
  asksLinks = c: asksVeth c || c.network.macvlans != [ ] || c.network.interfaces != [ ];
  # …and gets them: a network namespace of its own, not joined
  ownNetns = c: c.network.private && c.network.namespace.path == null;

  isStorePath = p: builtins.match "/nix/store/[0-9a-z]{32}-[^/]+" (toString p) != null;

  quote = s: "'${lib.escape [ "'" ] s}'";
in
rec {
  inherit renderNetwork ifnameMax validName validAddress unsafeArg;

  # A container's NixOS configuration, evaluated as NixOS evaluates a system (nixos-containers does the same),
  # with the guest module, the shared imports and the name as default hostname.
  evalContainer =
    { name, c, imports }:
    import "${c.nixpkgs}/nixos/lib/eval-config.nix" {
      system = null;
      inherit (c) specialArgs;
      prefix = [ "nixos-nspawn" "containers" name "config" ];
      modules = [
        ./container.nix
        {
          networking.hostName = lib.mkDefault (lib.head (nameLabels name));
          networking.domain = lib.mkIf (lib.length (nameLabels name) > 1)
            (lib.mkDefault (concatStringsSep "." (lib.tail (nameLabels name))));
          # The host's platform, weaker than mkDefault: a shared module that carries nixos-generate-config's
          # `nixpkgs.hostPlatform = lib.mkDefault "x86_64-linux"` then wins instead of conflicting with it.
          nixpkgs.hostPlatform = lib.mkOverride 1400 pkgs.stdenv.hostPlatform;
        }
      ] ++ imports ++ [ c.config ];
    };

  # Neither config nor path, or a name the guest cannot take as hostname: an assertion says so; never started.
  unsetToplevel = "/nix/store/00000000000000000000000000000000-nixos-nspawn-unset";

  # Everything of one container: its system (toplevel, closure file), the launcher's arguments, the settings file.
  containerPlan =
    { name, c, imports, fragmentFile }:
    let
      guest = if validName name && c.path == null && c.config != null then evalContainer { inherit name c imports; } else null;
      toplevel =
        if !validName name then unsetToplevel
        else if c.path != null then c.path
        else if guest != null then guest.config.system.build.toplevel
        else unsetToplevel;
      sys = system { inherit c toplevel; };
      args = launcherArgs { inherit name c sys fragmentFile; };
      fragments = lib.genAttrs [ "host" "container" ] (side: let def = c.network.veth.config.${side}; in
        if def == null then null else renderNetwork def);
    in
    {
      inherit sys args fragments;
      conf = settingsFile { inherit args sys; };
      # the guest's own configuration (null for a prebuilt path): what it does with links the launcher configures
      guestConfig = if guest == null then null else guest.config;
    };

  # A forward is DNAT in the host's nftables (the launcher's --port), except for the host's own loopback, which DNAT
  # cannot reach (the kernel routes no loopback source to another interface): there a socket unit and a proxy in the
  # container's namespace take TCP connections (host.nix). A forward only to a loopback address is the proxy only;
  # no address and :: are every address of both families (as a socket on [::] is), 0.0.0.0 every IPv4 address.
  isLoopback = a: a != null && (lib.hasPrefix "127." a || a == "::1");
  loopbackOnly = f: isLoopback f.hostAddress;
  anyAddress = f: f.hostAddress == null || f.hostAddress == "::";
  portArg =
    f:
    "${f.protocol}:${if anyAddress f then "" else if lib.hasInfix ":" f.hostAddress then "[${f.hostAddress}]:" else "${f.hostAddress}:"}"
    + "${toString f.hostPort}:${toString (if f.containerPort != null then f.containerPort else f.hostPort)}";
  # The loopback addresses the proxy listens on for a forward (none for UDP: systemd-socket-proxyd proxies streams).
  proxyAddresses =
    f:
    if f.protocol != "tcp" then [ ]
    else if loopbackOnly f then [ f.hostAddress ]
    else if anyAddress f then [ "127.0.0.1" "::1" ]
    else if f.hostAddress == "0.0.0.0" then [ "127.0.0.1" ]
    else [ ];

  unitName = name: "nixos-nspawn@${name}.service";

  # What a container's start waits for on the host (host.nix puts it in the unit's drop-in):
  # - mounts: each bind source (RequiresMountsFor=): a source on a disk not yet mounted would otherwise be bound as
  #   the empty mount point below it;
  # - bound: the devices it uses but leaves on the host, a bridge and a macvlan's parent (BindsTo= and After=):
  #   the start waits for them, and the container stops when one goes away (its network would be gone);
  # - required: the interfaces it moves in (Requires= and After=): waited for, but not BindsTo=, because moving an
  #   interface into another network namespace removes its device unit on the host at every start.
  # Interface names as systemd's device units spell them (utils.escapeSystemdPath's rules; they hold no '/').
  # udev: whether the host has device units (false on a NixOS that is itself a container: none, no waiting).
  hostDependencies =
    { c, udev }:
    let
      net = c.network;
      own = net.private && net.namespace.path == null;
      device = i: "sys-subsystem-net-devices-${
        let e = lib.strings.escapeC (lib.stringToCharacters " !\"#$%&'()*+,;<=>=@[\\]^`{|}~-") i;
        in if lib.hasPrefix "." e then "\\x2e" + lib.removePrefix "." e else e}.device";
      # RequiresMountsFor= expands '%' (whitespace, quotes and backslashes never reach here: containerAssertions)
      mountArg = lib.replaceStrings [ "%" ] [ "%%" ];
    in
    {
      mounts = map mountArg (lib.unique (mapAttrsToList bindSource c.binds));
      bound = map device (lib.unique (optionals (own && udev) (optional (net.bridge != null) net.bridge ++ net.macvlans)));
      required = map device (lib.unique (optionals (own && udev) net.interfaces));
    };
  netnsPath = name: "/run/netns/${name}";

  # Whether the container's network namespace is exported (asked for, or needed by forwards and services).
  exportsNamespace = c: c.network.namespace.export || c.forwardPorts != [ ] || c.network.namespace.services != [ ];

  # The store objects the launcher gets: the toplevel, and its closure as a file of store paths or null (the
  # launcher then asks Nix, --store-path=). closureInfo needs the toplevel as a build input: a derivation (or a
  # string that carries its context); a bare store path string cannot be one.
  system =
    { c, toplevel }:
    {
      inherit toplevel;
      closureFile =
        if c.closureFile != null then c.closureFile
        else if lib.isDerivation toplevel || builtins.hasContext (toString toplevel) then
          "${pkgs.closureInfo { rootPaths = [ toplevel ]; }}/store-paths"
        else null;
    };

  # The launcher's arguments, split in what follows the toplevel (activation: reload or restart) and the rest
  # (always a restart).
  # fragmentFile SIDE TEXT: where the override fragment for one end lives (host.nix: /etc/nixos-nspawn, so it is
  # in the layout nixos-nspawnctl shares; lib.nix: the store).
  launcherArgs =
    { name, c, sys, fragmentFile }:
    let
      net = c.network;
      veth = net.veth;
      hasVeth = net.private && asksVeth c;
      fragment =
        side: def:
        optional (def != null && hasVeth)
          "--network-veth-${side}-config=${fragmentFile side (renderNetwork def)}";
      bind =
        dst: b:
        "--bind${optionalString b.readOnly "-ro"}=${bindSource dst b}:${dst}:${
          { none = "noidmap"; identity = "idmap"; foreign = "foreign"; }.${bindMapping b}
        }";
      credential =
        id: cr:
        if cr.file != null then "--load-credential=${id}:${cr.file}"
        else "--load-credential=${id}:${pkgs.writeText "nixos-nspawn-${name}-credential-${id}" (toString cr.text)}";
    in
    {
      system =
        (if sys.closureFile != null then [ "--closure=${sys.closureFile}" ] else [ "--store-path=${sys.toplevel}" ])
        ++ [ "--init=${sys.toplevel}/init" ];
      rest =
        [ "--private-users=${c.privateUsers}" "--link-journal=${c.linkJournal}" ]
        ++ mapAttrsToList bind c.binds
        ++ map (t: "--tmpfs=${t}") c.tmpfs
        ++ mapAttrsToList credential c.credentials
        ++ optionals (net.private && net.namespace.path == null) (
          (if net.bridge != null then [ "--network-bridge=${net.bridge}" ]
           else if veth.zone != null then [ "--network-zone=${veth.zone}" ]
           else optional veth.enable "--network-veth")
          ++ map (i: "--network-macvlan=${i}") net.macvlans
          ++ map (i: "--network-interface=${i}") net.interfaces
          ++ optional (!hasVeth && net.macvlans == [ ] && net.interfaces == [ ]) "--private-network"
          ++ optionals (net.bridge == null) (fragment "host" veth.config.host)
          ++ fragment "container" veth.config.container
          ++ optional (exportsNamespace c) "--network-namespace-export"
          ++ concatMap (f: optional (!loopbackOnly f) "--port=${portArg f}") c.forwardPorts
        )
        ++ optional (net.namespace.path != null) "--network-namespace-path=${net.namespace.path}"
        ++ map (x: "--capability=${x}") c.capabilities.add
        ++ map (x: "--drop-capability=${x}") c.capabilities.drop
        ++ map (x: "--system-call-filter=${x}") c.systemCallFilter
        ++ c.extraArgs;
    };

  # /etc/nixos-nspawn/NAME.conf, an environment file for nixos-nspawn@NAME.service.
  settingsFile =
    { args, sys }:
    ''
      # Written by the nixos-nspawn NixOS module: changes here are lost at the next nixos-rebuild.
      NIXOS_NSPAWN_ARGS="${concatStringsSep " " (args.system ++ args.rest)}"
      NIXOS_NSPAWN_SYSTEM=${toString sys.toplevel}
    '' + optionalString (sys.closureFile != null) ''
      NIXOS_NSPAWN_CLOSURE=${sys.closureFile}
    '' + ''
      NIXOS_NSPAWN_ORIGIN=declarative
    '';

  # How a bind is idmapped: "none", "identity" (1:1) or "foreign" (systemd's foreign UID range on disk).
  bindMapping =
    b:
    if b.idmap == false then "none"
    else if b.idmap == "identity" || (b.idmap == true && b.readOnly) then "identity"
    else "foreign";
  bindSource = dst: b: if b.hostPath != null then b.hostPath else dst;

  # The host UID that root inside owns files of a bind as: where a created bind source must belong so that the
  # container's root can write it. null where it depends on the range a start picks (idmap = false, "pick").
  bindRootOwner =
    c: b:
    let m = bindMapping b; in
    if m == "foreign" then 2147352576 # 0x7FFE0000, the foreign range's root
    else if m == "identity" || c.privateUsers == "no" then 0
    else if builtins.match "[0-9]+(:[0-9]+)?" c.privateUsers != null then lib.toInt (lib.head (lib.splitString ":" c.privateUsers))
    else null;

  # systemd-tmpfiles lines creating the missing bind sources of one container (createHostPath). The ':' before
  # mode, user and group applies them only to a directory it creates (systemd >= 254): an existing host path is
  # never chowned or chmodded.
  bindCreations = c: map (x: "d ${x.path} :0755 :${toString x.owner} :${toString x.owner} -") (bindsToCreate c);
  # The same as { path; owner; } (lib.nix: its NAME-up creates them).
  bindsToCreate =
    c:
    concatLists (mapAttrsToList (dst: b:
      let owner = bindRootOwner c b; in
      optional (b.createHostPath && owner != null) { path = bindSource dst b; inherit owner; }
    ) c.binds);

  # Bad configurations of one container, as NixOS assertions. Every message names the container, the option
  # and the bad value.
  containerAssertions =
    { name, c, args }:
    let
      opt = o: "nixos-nspawn.containers.${name}.${o}";
      net = c.network;
      veth = net.veth;
      hasLinks = asksLinks c;
      a = assertion: message: { inherit assertion message; };
    in
    [
      (a (validName name)
        "nixos-nspawn.containers: invalid container name ${quote name} (${toString (stringLength name)} characters): the launcher takes a hostname of at most 64 characters, dot-separated labels of letters, digits and '-' (not first or last).")
      (a ((c.config == null) != (c.path == null))
        "${opt "config"} and ${opt "path"}: set exactly one of them (the container's NixOS configuration, or a prebuilt toplevel).")
      (a (c.path == null || lib.isDerivation c.path || isStorePath c.path)
        "${opt "path"} = ${quote (toString c.path)}: not a store path (/nix/store/HASH-NAME); for a profile, give its target.")
      (a (builtins.match "pick|no|[0-9]+(:[0-9]+)?" c.privateUsers != null)
        "${opt "privateUsers"} = ${quote c.privateUsers}: use \"pick\", \"no\" or \"BASE[:SIZE]\".")
    ]
    ++ map (i: a (validIfname i.name)
      "${opt "network.${i.option}"}: ${quote i.name} is not an interface name (1 to ${toString ifnameMax} characters, no '/', ':' or whitespace).")
      (map (n: { option = "macvlans"; name = n; }) net.macvlans
       ++ map (n: { option = "interfaces"; name = n; }) net.interfaces
       ++ optional (net.bridge != null) { option = "bridge"; name = net.bridge; })
    ++ optional (veth.zone != null) (a (builtins.match "[a-zA-Z0-9-]+" veth.zone != null)
      "${opt "network.veth.zone"} = ${quote veth.zone}: letters, digits and '-' only.")
    ++ concatLists (mapAttrsToList (dst: b: [
      (a (normalizedAbsolute dst) "${opt "binds"}.${quote dst}: the container path must be a normalized absolute path.")
      (a (!overlapsStore dst)
        "${opt "binds"}.${quote dst}: cannot bind onto the Nix store: the container's /nix/store holds exactly its closure, mounted read-only.")
      (a (b.hostPath == null || normalizedAbsolute b.hostPath)
        "${opt "binds"}.${quote dst}.hostPath = ${quote (toString b.hostPath)}: must be a normalized absolute path.")
      (a (builtins.match ".*:.*" (if b.hostPath != null then b.hostPath else dst) == null && builtins.match ".*:.*" dst == null)
        "${opt "binds"}.${quote dst}: paths with ':' cannot be passed to the launcher (--bind=SRC:DST:OPTS).")
      (a (!(b.idmap != false && c.privateUsers == "no"))
        "${opt "binds"}.${quote dst}.idmap: needs a user namespace, but privateUsers = \"no\"; set idmap = false.")
      (a (!b.createHostPath || bindRootOwner c b != null)
        "${opt "binds"}.${quote dst}.createHostPath: with idmap = false its owner is the UID range each start picks (privateUsers = ${quote c.privateUsers}); set a fixed privateUsers, another idmap, or createHostPath = false.")
    ]) c.binds)
    ++ map (t: a (normalizedAbsolute (lib.head (lib.splitString ":" t)) && !overlapsStore (lib.head (lib.splitString ":" t)))
      "${opt "tmpfs"}: ${quote t}: needs a normalized absolute path outside the Nix store.") c.tmpfs
    ++ mapAttrsToList (id: cr: a ((cr.file == null) != (cr.text == null))
      "${opt "credentials"}.${id}: set exactly one of file and text.") c.credentials
    ++ mapAttrsToList (id: cr: a (builtins.match "[A-Za-z0-9_.-]+" id != null && stringLength id <= 255)
      "${opt "credentials"}.${quote id}: a credential ID has letters, digits, '_', '.' and '-' only.") c.credentials
    ++ map (side: a (unsupportedNetworkParts (if veth.config.${side} == null then { } else veth.config.${side}) == [ ])
      "${opt "network.veth.config.${side}"}: ${concatStringsSep ", " (unsupportedNetworkParts veth.config.${side})} cannot be given here (the launcher matches the link itself and merges only [Link], [Network], [Address], [Route], [DHCPv4], [DHCPv6], [IPv6AcceptRA], [DHCPServer], [IPv6SendRA], [IPv6Prefix]).")
      [ "host" "container" ]
    ++ map (side: let def = if veth.config.${side} == null then { } else veth.config.${side}; in
      a (unknownNetworkKeys def == [ ])
      "${opt "network.veth.config.${side}"}: ${concatStringsSep ", " (map (k: "${k} = ${quote (builtins.toJSON def.${k})}") (unknownNetworkKeys def))}: not taken into the launcher's override file (it writes ${concatStringsSep ", " renderedKeys}); a misspelling?")
      [ "host" "container" ]
    ++ [
      (a (net.private || !hasLinks)
        "${opt "network.private"} = false shares the host's network: set network.veth.enable = false and no zone, bridge, macvlans or interfaces.")
      (a (net.bridge == null || veth.config.host == null)
        "${opt "network.veth.config.host"}: with network.bridge the host end is a port of that bridge; configure the bridge's network on the host instead.")
      (a (net.bridge == null || veth.zone == null)
        "${opt "network.bridge"} and network.veth.zone both put the veth into a bridge: set one of them.")
      (a (net.namespace.path == null || !hasLinks)
        "${opt "network.namespace.path"} = ${quote (toString net.namespace.path)} joins an existing namespace: set network.veth.enable = false and no zone, bridge, macvlans or interfaces.")
      (a (net.namespace.path == null || normalizedAbsolute net.namespace.path)
        "${opt "network.namespace.path"} = ${quote (toString net.namespace.path)}: must be a normalized absolute path.")
      (a (!(exportsNamespace c) || (net.private && net.namespace.path == null))
        "${opt (if c.forwardPorts != [ ] then "forwardPorts" else if net.namespace.services != [ ] then "network.namespace.services" else "network.namespace.export")}: needs a network namespace of the container's own, but ${if !net.private then "network.private = false" else "network.namespace.path joins another one"}.")
      (a ((veth.config.host == null && veth.config.container == null) || (ownNetns c && asksVeth c))
        "${opt "network.veth.config"}: settings for the veth, but the container has none (network.veth.enable = false).")
    ]
    ++ map (f: a (f.hostAddress == null || validAddress f.hostAddress)
      "${opt "forwardPorts"}: hostPort ${toString f.hostPort} has hostAddress = ${quote (toString f.hostAddress)}; give an IPv4 or IPv6 address (no brackets, no name).")
      c.forwardPorts
    # the value (not quoted here: it is the secret) would be in the Nix store, the settings file and the
    # launcher's command line, all world-readable; a file read at start is not
    ++ map (x: a (builtins.match "--set-.*" x == null)
      "${opt "extraArgs"}: --set-credential would put the credential's value where every local user can read it; use ${opt "credentials"}.<id>.file.")
      c.extraArgs
    ++ map (x: a (!unsafeArg x)
      "${opt "launcher arguments"}: ${quote x} contains whitespace, a quote, a backslash, '$', '`' or a control character, which the settings file /etc/nixos-nspawn/${name}.conf cannot carry.")
      (args.system ++ args.rest);

  # ---- what only the module sees: several containers at once, and each guest's own configuration -------------

  # Members of one zone share its bridge vz-ZONE, which the host fragment (network.veth.config.host) configures:
  # each start writes the bridge's unit from its own container, so the last one to start would win.
  zoneDisagreements =
    containers:
    let
      members = filter (m: m.zone != null) (mapAttrsToList (name: c: {
        inherit name;
        zone = if c.network.private && c.network.namespace.path == null && c.network.bridge == null then c.network.veth.zone else null;
        host = let d = c.network.veth.config.host; in if d == null then null else renderNetwork d;
      }) containers);
    in
    concatMap (z: let ms = filter (m: m.zone == z) members; in
      optional (lib.length (lib.unique (map (m: m.host) ms)) > 1) { zone = z; members = map (m: m.name) ms; })
      (lib.unique (map (m: m.zone) members));

  # A host interface moved into one container (network.interfaces) is gone from the host while it runs: no other
  # container can have it too, nor a macvlan on it, nor use it as its bridge.
  interfaceConflicts =
    containers:
    let
      uses = concatLists (mapAttrsToList (name: c:
        let net = c.network; on = net.private && net.namespace.path == null; in
        optionals on (
          map (i: { inherit name; ifname = i; how = "interfaces"; }) (lib.unique net.interfaces)
          ++ map (i: { inherit name; ifname = i; how = "macvlans"; }) (lib.unique net.macvlans)
          ++ optional (net.bridge != null) { inherit name; ifname = net.bridge; how = "bridge"; }
        )) containers);
      moved = filter (u: u.how == "interfaces") uses;
      other = m: u: u.ifname == m.ifname && !(u.name == m.name && u.how == m.how)
        && !(u.how == "interfaces" && u.name < m.name);
    in
    concatMap (m: map (u: { a = m; b = u; }) (filter (other m) uses)) moved;

  # The links inside that the launcher configures (its 10-*.network units sort first: networkd takes the first file
  # that matches a link, so a guest's own unit for them would be silently ignored).
  launcherLinks =
    c:
    let
      net = c.network;
      on = net.private && net.namespace.path == null;
    in
    optional (on && asksVeth c)
      { link = "host0"; option = "network.veth.config.container"; }
    ++ optionals on (map (i: { link = "mv-${i}"; option = "network.macvlans"; }) net.macvlans);
  globRegex = p: concatStrings (map (ch:
    if ch == "*" then ".*" else if ch == "?" then "."
    else if lib.elem ch [ "." "[" "]" "(" ")" "+" "^" "$" "|" "{" "}" "\\" ] then "\\${ch}" else ch) (lib.stringToCharacters p));
  matchNames = def: let n = def.matchConfig.Name or null; in
    if n == null then [ ] else filter (x: x != "") (if builtins.isList n then n else lib.splitString " " (toString n));
  guestLinkClashes =
    { c, guestConfig }:
    if guestConfig == null then [ ] else
    concatLists (mapAttrsToList (unit: def: concatMap (l:
      optional ((def.enable or true) && lib.any (pat: builtins.match (globRegex pat) l.link != null) (matchNames def))
        { inherit unit; inherit (l) link option; }
    ) (launcherLinks c)) (guestConfig.systemd.network.networks or { }));

  # With the host's network and a user namespace, root inside has no CAP_NET_BIND_SERVICE over the host's network
  # namespace (its user namespace owns neither): binding a port below 1024 fails with EACCES. Known services of the
  # guest and the ports they bind by default.
  lowPortServices =
    g:
    let
      svc = n: g.services.${n} or { };
      on = n: (svc n).enable or false;
    in
    optionals (on "openssh") (map (p: { service = "openssh"; port = p; }) (filter (p: p < 1024) ((svc "openssh").ports or [ 22 ])))
    ++ concatMap (x: optional (on x.service) x) [
      { service = "nginx"; port = 80; }
      { service = "httpd"; port = 80; }
      { service = "caddy"; port = 80; }
      { service = "postfix"; port = 25; }
      { service = "dnsmasq"; port = 53; }
      { service = "unbound"; port = 53; }
      { service = "bind"; port = 53; }
    ];
  hostNetworkWithRange = c: !c.network.private && c.privateUsers != "no";

  # Two forwards collide when their sockets would bind one port on overlapping addresses: the second socket fails
  # with EADDRINUSE at boot. A wildcard overlaps what it covers (forwardScope); `why` says how, or is "".
  forwardCollisions =
    containers:
    let
      all = concatLists (mapAttrsToList (name: c: map (f: f // { container = name; }) c.forwardPorts) containers);
      indexed = lib.imap0 (i: f: f // { inherit i; }) all;
      spell = f: if f.hostAddress == null then "every address" else f.hostAddress;
      overlap =
        x: y:
        let sx = forwardScope x; sy = forwardScope y; in
        if sx.kind == "all" || sy.kind == "all" then
          (if x.hostAddress == y.hostAddress then "" else " (${spell (if sx.kind == "all" then x else y)} covers both IPv4 and IPv6, ${spell (if sx.kind == "all" then y else x)} among them)")
        else if sx.kind == "ipv4" || sy.kind == "ipv4" then
          (if sx.kind == sy.kind then "" else
            let other = if sx.kind == "ipv4" then sy else sx; in
            if other.family == 4 then " (0.0.0.0 covers every IPv4 address, ${other.address} among them)" else null)
        else if sx.address == sy.address then "" else null;
      clash = x: y: x.i < y.i && x.protocol == y.protocol && x.hostPort == y.hostPort && overlap x y != null;
    in
    concatMap (x: map (y: { a = x; b = y; why = overlap x y; }) (filter (clash x) indexed)) indexed;
}
