# Containers for a project flake on a Linux host without NixOS (Nix and systemd are enough): the same
# `nixos-nspawn.containers.<name>` options as the host module, turned into commands instead of units.
#
#   containers = nixos-nspawn.lib.mkContainers {
#     inherit pkgs;
#     containers.web.config = { services.nginx.enable = true; };
#   };
#   # containers.web.{toplevel, closure, args, up, down, shell, check, runner, apps}; `nix run .#web-up` with
#   # apps.x86_64-linux = lib.concatMapAttrs (_: c: c.apps) containers;   # web-up, web-down, web-shell
#
# Options of the host module that need a host unit (serviceConfig, autoStart, restartIfChanged, activation),
# port forwards and namespace services are evaluation errors naming them; `check` (part of `runner`) is the
# launcher's own verdict on the arguments (nixos/check.sh), as the host module's system.checks.
#
# NAME-up starts the container as the transient unit nixos-nspawn-NAME.service (systemd-run; Type=notify, so it
# returns when the container is ready), or in the foreground where systemd is not PID 1. NAME-down stops it,
# NAME-shell opens a root shell through machined. They ask for root with sudo.
{ lib }:
let
  inherit (lib) concatStringsSep escapeShellArg filter mapAttrs types;
in
{
  mkContainers =
    { pkgs, containers, imports ? [ ], package ? pkgs.nixos-nspawn or (pkgs.callPackage ./package.nix { }) }:
    let
      plan = import ./plan.nix { inherit lib pkgs; };
      eval = lib.evalModules {
        modules = [
          (import ./options.nix { inherit lib pkgs; networkType = types.attrsOf types.anything; })
          { nixos-nspawn = { inherit containers imports package; }; }
        ];
      };
      cfg = eval.config.nixos-nspawn;

      one =
        name: c:
        let
          p = plan.containerPlan {
            inherit name c;
            inherit (cfg) imports;
            fragmentFile = side: text: pkgs.writeText "nixos-nspawn-${name}-${side}.network" text;
          };
          # Port forwards and host services in the namespace are host units: the host module makes them; here
          # there is no host configuration to put them in.
          notHere = filter (x: x.on) [
            { on = c.forwardPorts != [ ]; message = "nixos-nspawn.containers.${name}.forwardPorts: needs the NixOS host module (host units); use network.namespace.export and a socket unit of your own."; }
            { on = c.network.namespace.services != [ ]; message = "nixos-nspawn.containers.${name}.network.namespace.services: needs the NixOS host module."; }
          ];
          # Options of the host module's unit that a flake app cannot honour: an error naming each, rather than
          # a MemoryMax= that never reaches NAME-up or an autoStart nothing acts on.
          raw = containers.${name} or { };
          notHonoured = filter (k: builtins.isAttrs raw && raw ? ${k}) [ "serviceConfig" "autoStart" "restartIfChanged" "activation" ];
          failed = map (a: a.message) (filter (a: !a.assertion) (plan.containerAssertions { inherit name c; inherit (p) args; }))
            ++ map (x: x.message) notHere
            ++ map (k: "nixos-nspawn.containers.${name}.${k}: lib.mkContainers cannot honour it (there is no host unit: ${name}-up runs the launcher with systemd-run's own properties); remove it, or use the NixOS host module.") notHonoured;
          # the launcher's verdict on the arguments, as the host module's system.checks (nixos/check.sh)
          check = pkgs.runCommand "nixos-nspawn-check-${name}" { } ''
            ${pkgs.runtimeShell} ${./check.sh} ${cfg.package}/bin/nixos-nspawn ${escapeShellArg name} ${concatStringsSep " " (map escapeShellArg (map builtins.unsafeDiscardStringContext p.args.system ++ p.args.rest))}
            mkdir $out
          '';
          argv = concatStringsSep " " (map escapeShellArg (
            [ "${cfg.package}/bin/nixos-nspawn" "--quiet" "--machine=${name}" ] ++ p.args.system ++ p.args.rest
          ));
          unit = "nixos-nspawn-${name}";
          asRoot = ''[ "$(id -u)" = 0 ] || exec sudo -- "$0" "$@"'';
          # Missing bind sources (createHostPath), as the host module's tmpfiles lines make them: an existing
          # path is left as it is.
          createSources = lib.concatMapStrings (x:
            let o = toString x.owner; in "[ -e ${escapeShellArg x.path} ] || install -d -m 0755 -o ${o} -g ${o} ${escapeShellArg x.path}\n"
          ) (plan.bindsToCreate c);
          up = pkgs.writeShellScriptBin "${name}-up" ''
            set -eu
            ${asRoot}
            ${createSources}
            if [ -d /run/systemd/system ]; then
              systemctl reset-failed ${unit}.service 2>/dev/null || true
              exec systemd-run --quiet --unit=${unit} --description='Container ${name} (nixos-nspawn)' \
                -p Type=notify -p Delegate=yes -p KillMode=mixed -p Slice=machine.slice -p TasksMax=16384 \
                -p TimeoutStartSec=${escapeShellArg c.timeoutStartSec} -p TimeoutStopSec=90s \
                -p SuccessExitStatus=133 -p RestartForceExitStatus=133 \
                ${argv}
            fi
            exec ${argv}
          '';
          down = pkgs.writeShellScriptBin "${name}-down" ''
            set -eu
            ${asRoot}
            if [ -d /run/systemd/system ]; then exec systemctl stop ${unit}.service; fi
            echo "${name}-down: without systemd, ${name}-up runs in the foreground: stop it with Ctrl-C" >&2
            exit 1
          '';
          shell = pkgs.writeShellScriptBin "${name}-shell" ''
            set -eu
            ${asRoot}
            exec machinectl shell ${name} "$@"
          '';
        in
        if failed != [ ] then throw ("nixos-nspawn.lib.mkContainers:\n- " + concatStringsSep "\n- " failed)
        else {
          inherit (p.sys) toplevel;
          closure = p.sys.closureFile;
          args = p.args.system ++ p.args.rest;
          inherit up down shell check;
          # (the check is built with the runner: a configuration the launcher refuses fails the build)
          runner = pkgs.symlinkJoin { name = "${name}-runner"; paths = [ up down shell check ]; };
          # flake apps: apps.<system> = lib.concatMapAttrs (_: c: c.apps) containers;
          apps = lib.mapAttrs' (verb: drv: lib.nameValuePair "${name}-${verb}" {
            type = "app";
            program = "${drv}/bin/${name}-${verb}";
          }) { inherit up down shell; };
        };
    in
    mapAttrs one cfg.containers;
}
