# shellcheck shell=bash
# One set of rules: the launcher decides, the module asks it (issue 18).

# --- the system's build depends on one launcher check per container (system.checks, NixOS 23.05+; nixos-eval has
# no such option, so this case declares it as NixOS does)
cat >"$T/checks.nix" <<'NIX'
{ lib, config, ... }: {
  options.system.checks = lib.mkOption { type = lib.types.listOf lib.types.package; default = [ ]; };
  config = {
    nixos-nspawn.containers.web.config = { };
    nixos-nspawn.containers.db = { config = { }; capabilities.add = [ "CAP_SYS_TIME" ]; };
    environment.etc."system-checks".text = lib.concatMapStringsSep "\n" (d: d.name) config.system.checks;
  };
}
NIX
render checks "$T/checks.nix"
assert_eq "system.checks holds one launcher check per container" "$(sort "$out/etc/system-checks" 2>&1)" \
	"nixos-nspawn-check-db
nixos-nspawn-check-web"

# --- one name rule: the same names to the launcher (--check --machine=) and to the module (plan.nix's validName);
# the same verdict for each
a63=$(printf 'a%.0s' {1..63}); a64=$(printf 'a%.0s' {1..64}); b31=$(printf 'b%.0s' {1..31}); b32=$(printf 'b%.0s' {1..32})
names=(web web-1 A9 a.b.c x-y-z.example-1 "$a63" "$a63.b" "$b32.$b31" "$b32.$b32" "$a64" -a a- a..b .a a. a_b
	"a b" a/b 'a$b' "ä" "a-.b" "a.-b" "" 0 9-9 "web.")
: >"$T/names.txt"
for n in "${names[@]}"; do printf '%s\n' "$n" >>"$T/names.txt"; done
c_verdicts=$(for n in "${names[@]}"; do
	if "$NSPAWN" --check --machine="$n" --init=/i >/dev/null 2>&1; then echo valid; else echo invalid; fi
done)
nix_verdicts=$(nix-instantiate --eval --strict --json -E "
	let lib = import $NIXOS_EVAL/nixpkgs/lib; plan = import $TOP/nixos/plan.nix { inherit lib; pkgs = { }; };
	    names = lib.init (lib.splitString \"\\n\" (builtins.readFile $T/names.txt));
	in map (n: if plan.validName n then \"valid\" else \"invalid\") names" 2>&1 | jq -r '.[]' 2>&1)
if [ -x "$NSPAWN" ]; then
	assert_eq "the launcher and the module agree on ${#names[@]} machine names" "$(paste -d' ' "$T/names.txt" <(echo "$nix_verdicts"))" \
		"$(paste -d' ' "$T/names.txt" <(echo "$c_verdicts"))"
	assert_eq "…of which some are valid and some not (the test can fail)" "$(sort -u <<<"$c_verdicts" | tr '\n' ' ')" "invalid valid "
else
	skip "the launcher and the module agree on machine names" "no launcher at $NSPAWN (make all)"
fi

# --- forward addresses: the module's verdict is inet_pton's (what systemd parses ListenStream= with)
addrs=(0.0.0.0 127.0.0.1 192.168.1.300 192.168.01.1 1.2.3 1.2.3.4.5 255.255.255.255 :: ::1 fd00::1 fd00::1::2 ::: \
	fe80::1%eth0 ::ffff:10.0.0.1 1:2:3:4:5:6:7:8 1:2:3:4:5:6:7:8:9 1:2:3:4:5:6:7 1::2:3:4:5:6:7 12345::1 g::1 \
	"[::1]" localhost 1:2:3:4:5:6:1.2.3.4 1:2:3:4:5:6:7:1.2.3.4)
printf '%s\n' "${addrs[@]}" >"$T/addrs.txt"
pton=$(python3 -c '
import socket, sys
for a in open(sys.argv[1]).read().split("\n")[:-1]:
    ok = False
    for fam in (socket.AF_INET, socket.AF_INET6):
        try: socket.inet_pton(fam, a.split("%")[0] if fam == socket.AF_INET6 else a); ok = True
        except OSError: pass
    print("valid" if ok else "invalid")' "$T/addrs.txt" 2>&1)
nixv=$(nix-instantiate --eval --strict --json -E "
	let lib = import $NIXOS_EVAL/nixpkgs/lib; plan = import $TOP/nixos/plan.nix { inherit lib; pkgs = { }; };
	in map (n: if plan.validAddress n then \"valid\" else \"invalid\") (lib.init (lib.splitString \"\\n\" (builtins.readFile $T/addrs.txt)))" 2>&1 | jq -r '.[]' 2>&1)
assert_eq "forward addresses: the module agrees with inet_pton on ${#addrs[@]} addresses" \
	"$(paste -d' ' "$T/addrs.txt" <(echo "$nixv"))" "$(paste -d' ' "$T/addrs.txt" <(echo "$pton"))"

# --- forwards that share a port without overlapping: each family's wildcard, one address per family
cat >"$T/fwd-ok.nix" <<'NIX'
{
  nixos-nspawn.containers.a = { config = { }; forwardPorts = [ { hostPort = 80; hostAddress = "0.0.0.0"; } ]; };
  nixos-nspawn.containers.b = { config = { }; forwardPorts = [ { hostPort = 80; hostAddress = "fd00::1"; } ]; };
  nixos-nspawn.containers.c = { config = { }; forwardPorts = [ { hostPort = 81; hostAddress = "10.0.0.1"; } { hostPort = 81; hostAddress = "10.0.0.2"; } ]; };
}
NIX
ok "forwards of one port on 0.0.0.0 and an IPv6 address, or on two IPv4 addresses, do not collide" \
	"$NIXOS_EVAL/eval.sh" "$TOP/nixos/host.nix" "$T/fwd-ok.nix"

# --- the host's network with a picked range: a warning naming privateUsers and the port limit
cat >"$T/hostnet.nix" <<'NIX'
{ nixos-nspawn.containers.web = { config = { }; network.private = false; network.veth.enable = false; }; }
NIX
render hostnet "$T/hostnet.nix"
assert_match "network.private = false with a picked range: a warning names privateUsers and the port limit" \
	"$(cat "$T/hostnet.err")" "nixos-nspawn.containers.web.network.private = false with privateUsers = 'pick'.*cannot bind ports below 1024"

# --- what the guest may configure: links the launcher does not; and DHCP= in an override is written, not dropped
cat >"$T/guestnet.nix" <<'NIX'
{
  nixos-nspawn.containers.web = {
    config = { systemd.network.enable = true; systemd.network.networks."30-eth" = { matchConfig.Name = "eth*"; DHCP = "yes"; }; };
    network.veth.config.container.DHCP = "ipv4";
  };
}
NIX
render guestnet "$T/guestnet.nix"
assert_match "a guest's unit for a link the launcher does not configure evaluates; DHCP= reaches the override" \
	"$(cat "$out/etc/nixos-nspawn/web.container.network" 2>&1)" "DHCP=ipv4"

# --- one rule for what an argument in the settings file may hold: nixos-nspawnctl's and the module's verdicts agree
CTLBIN=$BUILD/nixos-nspawnctl
vals=("plain" "size=10%" "a b" 'a"b' "a'b" 'a\b' 'a$b' 'a`b' $'a\tb' $'a\x01b' "ä" "a:b,c=d")
printf '%s\n' "${vals[@]}" | tr '\t\001' '\002\003' >"$T/vals.txt" # (one a line; the tab and ^A stand-ins are mapped back in Nix)
if [ -x "$CTLBIN" ]; then
	ctlv=$(for v in "${vals[@]}"; do
		out=$("$CTLBIN" create rules-arg-test --config /nonexistent/x.nix "--setenv=A=$v" 2>&1)
		case $out in *"cannot be stored"*) echo unsafe ;; *) echo safe ;; esac
	done)
	nixv=$(nix-instantiate --eval --strict --json -E "
		let lib = import $NIXOS_EVAL/nixpkgs/lib; plan = import $TOP/nixos/plan.nix { inherit lib; pkgs = { }; };
		    vals = map (lib.replaceStrings [ \"\\u0002\" \"\\u0003\" ] [ \"\\t\" \"\\u0001\" ])
		      (lib.init (lib.splitString \"\\n\" (builtins.readFile $T/vals.txt)));
		in map (v: if plan.unsafeArg \"--setenv=A=\${v}\" then \"unsafe\" else \"safe\") vals" 2>&1 | jq -r '.[]' 2>&1)
	assert_eq "nixos-nspawnctl and the module agree on ${#vals[@]} arguments the settings file may hold" \
		"$(paste -d' ' "$T/vals.txt" <(echo "$nixv"))" "$(paste -d' ' "$T/vals.txt" <(echo "$ctlv"))"
	ok "no settings file was written" test ! -e /etc/nixos-nspawn/rules-arg-test.conf
else
	skip "nixos-nspawnctl and the module agree on arguments" "no $CTLBIN (make all)"
fi
