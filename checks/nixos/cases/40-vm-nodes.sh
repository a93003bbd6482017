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

# --- what the scripts claim, where it can be read here ---
assert_eq "VM test 'web': /srv/web is created by the module for the foreign range's root, not by a root-owned tmpfiles line" \
	"$(grep -E '^d +/srv/web ' "$T/vm-web/etc/tmpfiles.d/00-nixos.conf")" "d /srv/web :0755 :2147352576 :2147352576 -"
ok "VM tests: no '| grep -q' (the driver's pipefail fails it when grep closes the pipe early)" bash -c "! grep -n '| *grep -q' '$T'/vm-*.py"
ok "VM tests: containers are waited for with is-active multi-user.target, not is-system-running" bash -c "! grep -n 'is-system-running' '$T'/vm-*.py"
ok "VM test 'web': every switch-to-configuration goes through /run/booted-system" \
	bash -c "grep -q 'booted-system/specialisation/removed' '$T/vm-web.py' && ! grep -n 'current-system/specialisation' '$T/vm-web.py'"
owner_claim() { grep -o 'stat -c %u:%g /nix/store[^=]*== "[0-9:]*"' "$T/vm-$1.py" | grep -o '"[0-9:]*"$'; }
assert_eq "VM tests: the boot-loader (ext4) store looks root-owned inside, the 9p/overlay store nobody's" \
	"$(owner_claim simple) $(owner_claim overlaystore)" '"0:0" "65534:65534"'
