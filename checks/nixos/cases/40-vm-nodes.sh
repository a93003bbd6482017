# shellcheck shell=bash
# The NixOS VM tests (vm-tests.nix) cannot run here (no nixpkgs, no VMs): their host configurations are
# evaluated with nixos-eval instead, each as NixOS would evaluate it, containers included.
for node in simple proxy static web webChanged:web webRemoved:web; do
	base=${node#*:} variant=${node%%:*}
	cat >"$T/vm-$variant.nix" <<-EOF
		{ lib, ... }:
		let nodes = import $TOP/checks/nixos/vm-nodes.nix { inherit lib; }; in
		{
		  # not loaded by nixos-eval on the host (see reverse-proxy.nix)
		  options.services.nginx = lib.mkOption { type = lib.types.attrsOf lib.types.anything; default = { }; };
		  imports = [ nodes.$variant ] ++ lib.optional ("$base" != "$variant") nodes.$base;
		}
	EOF
	render "vm-$variant" "$T/vm-$variant.nix"
	_report $? "VM test host '$variant' evaluates with nixos-eval" "$(grep -v '^note:' "$T/vm-$variant.err" | tail -n 6)"
done
assert_eq "VM test 'web': the credential is passed by path" "$(arg_value "$T/vm-web" web --load-credential)" "token:/run/web-secret"
assert_eq "VM test 'webChanged': a tmpfs more, so a restart" "$(arg_value "$T/vm-webChanged" web --tmpfs)" "/scratch"
ok "VM test 'webRemoved': no settings file, no drop-in" test ! -e "$T/vm-webRemoved/etc/nixos-nspawn/web.conf" -a ! -e "$T/vm-webRemoved/etc/systemd/system/nixos-nspawn@web.service.d"

# --- their test scripts compile (Python) ---
scripts=$(nix-instantiate --eval --strict --json "$TOP/checks/nixos/vm-scripts.nix" --arg nixosEval "$NIXOS_EVAL" 2>&1)
for t in simple overlaystore proxy static web; do
	jq -er ".$t.testScript" <<<"$scripts" >"$T/vm-$t.py" 2>/dev/null
	ok "VM test '$t': its test script compiles" python3 -c 'import sys; compile(open(sys.argv[1]).read(), sys.argv[1], "exec")' "$T/vm-$t.py"
done
