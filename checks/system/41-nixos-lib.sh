#!/bin/bash
# nixos/lib.nix end to end: the NAME-up / NAME-shell / NAME-down commands that lib.mkContainers makes for a
# project flake on a host without NixOS (nixos-eval renders them), run in the systemd test host, a Debian with
# systemd: the container starts as a transient unit and is ready when NAME-up returns, NAME-shell gets in,
# NAME-down stops it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/nixos-lib.sh"
th_need
fixture boot
th_nixos_toplevel
{ echo "$toplevel"; cat "$closure"; } >"$TH_SHARED/lib-closure"

name=nxl$$
prefix=$TH_SHARED/lib-prefix
ok "make install into a prefix (the package)" make -s -C "$TOP" install PREFIX="$prefix"

cat >"$T/case.nix" <<EOF
{ lib, pkgs, ... }:
let
  containers = (import $TOP/nixos/lib.nix { inherit lib; }).mkContainers {
    inherit pkgs;
    package = { type = "derivation"; name = "nixos-nspawn"; outPath = "$prefix"; };
    containers.$name = {
      path = "$toplevel";
      closureFile = "$TH_SHARED/lib-closure";
      tmpfs = [ "/scratch" ];
    };
  };
in
{
  environment.etc."lib-test/up".text = containers.$name.up.text;
  environment.etc."lib-test/shell".text = containers.$name.shell.text;
  environment.etc."lib-test/down".text = containers.$name.down.text;
}
EOF
OUTPUT=units OUT_DIR=$T/out "$NIXOS_EVAL/eval.sh" "$TOP/nixos/host.nix" "$T/case.nix" >"$T/eval.log" 2>&1
_report $? "nixos-eval renders $name-up, -shell and -down" "$(tail -n 5 "$T/eval.log")"
for c in up shell down; do cp "$T/out/etc/lib-test/$c" "$TH_SHARED/$name-$c"; done
at_exit "th_exec systemctl stop nixos-nspawn-$name.service >/dev/null 2>&1"

th_exec bash "$TH_SHARED/$name-up"; rc=$?
assert_eq "$name-up returns once the container is ready" "$rc $(th_exec systemctl -M "$name" is-system-running 2>&1)" "0 running"
assert_match "…as the transient unit nixos-nspawn-$name.service, registered with machined" \
	"$(th_exec machinectl status "$name" --no-pager 2>&1)" "Unit: nixos-nspawn-$name.service"
assert_eq "$name-shell runs a command inside" "$(th_exec bash "$TH_SHARED/$name-shell" /bin/sh -c 'stat -f -c %T /scratch' 2>/dev/null | tr -d '\r')" tmpfs
before=$(th_exec machinectl show "$name" -p State --value 2>&1)
th_exec bash "$TH_SHARED/$name-down"
th_sh 'for i in $(seq 100); do machinectl show "$1" >/dev/null 2>&1 || exit 0; sleep 0.1; done; exit 1' "$name"
assert_eq "$name-down stops it (running before, gone after)" "$before $(th_exec machinectl show "$name" >/dev/null 2>&1 && echo registered || echo gone)" "running gone"
