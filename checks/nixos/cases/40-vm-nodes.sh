# shellcheck shell=bash
# The NixOS VM tests (vm-tests.nix) cannot run here (no nixpkgs, no VMs): their host configurations are
# evaluated with nixos-eval instead, each as NixOS would evaluate it, containers included.
for node in simple proxy static web service webChanged:web webRemoved:web; do
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

assert_eq "VM test 'service': a TCP and a UDP forward, by the launcher's DNAT (--port)" \
	"$(launcher_args "$T/vm-service" db | sed -n 's/^--port=//p' | sort | xargs)" "tcp:9000:9000 udp:9001:9001"
assert_eq "VM test 'service': the journal kept on the host, restarted on failure, MemoryMax for the OOM step" \
	"$(arg_value "$T/vm-service" db --link-journal) $(key_of "$(unit_dropin "$T/vm-service" nixos-nspawn@db.service)" Restart) $(key_of "$(unit_dropin "$T/vm-service" nixos-nspawn@db.service)" MemoryMax)" \
	"try-host on-failure 256M"

# --- their test scripts compile (Python) ---
scripts=$(nix-instantiate --eval --strict --json "$TOP/checks/nixos/vm-scripts.nix" --arg nixosEval "$NIXOS_EVAL" 2>&1)
for t in simple overlaystore proxy static web service; do
	jq -er ".$t.testScript" <<<"$scripts" >"$T/vm-$t.py" 2>/dev/null
	ok "VM test '$t': its test script compiles" python3 -c 'import sys; compile(open(sys.argv[1]).read(), sys.argv[1], "exec")' "$T/vm-$t.py"
done

# --- what the scripts claim, where it can be read here ---
ok "VM test 'service': it kills PID 1, fills MemoryMax, reads journalctl -M and -D, and sends from the client node" \
	bash -c "grep -q 'kill -KILL' '$T/vm-service.py' && grep -q 'head -c 1G /dev/zero' '$T/vm-service.py' && grep -q 'journalctl -M db' '$T/vm-service.py' && grep -q 'journalctl -D /var/log/journal/' '$T/vm-service.py' && grep -q 'client.wait_until_succeeds.*UDP6' '$T/vm-service.py'"
assert_eq "VM test 'web': /srv/web is created by the module for the foreign range's root, not by a root-owned tmpfiles line" \
	"$(grep -E '^d +/srv/web ' "$T/vm-web/etc/tmpfiles.d/00-nixos.conf")" "d /srv/web :0755 :2147352576 :2147352576 -"
ok "VM tests: no '| grep -q' (the driver's pipefail fails it when grep closes the pipe early)" bash -c "! grep -n '| *grep -q' '$T'/vm-*.py"
ok "VM tests: containers are waited for with is-active multi-user.target, not is-system-running" bash -c "! grep -n 'is-system-running' '$T'/vm-*.py"
ok "VM test 'web': every switch-to-configuration goes through /run/booted-system" \
	bash -c "grep -q 'booted-system/specialisation/removed' '$T/vm-web.py' && ! grep -n 'current-system/specialisation' '$T/vm-web.py'"
owner_claim() { grep -o 'stat -c %u:%g /nix/store[^=]*== "[0-9:]*"' "$T/vm-$1.py" | grep -o '"[0-9:]*"$'; }
assert_eq "VM tests: the boot-loader (ext4) store looks root-owned inside, the 9p/overlay store nobody's" \
	"$(owner_claim simple) $(owner_claim overlaystore)" '"0:0" "65534:65534"'
