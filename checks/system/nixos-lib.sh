# Sourced by the NixOS scenarios (40-nixos-*, 41-…, 42-…) after lib.sh: a stand-in toplevel, the module's files
# rendered by nixos-eval, and what `nixos-rebuild switch` does with them, in the systemd test host.
# shellcheck shell=bash
NIXOS_EVAL=${NIXOS_EVAL:-$TOP/../shared/nixos-eval}
[ -x "$NIXOS_EVAL/eval.sh" ] || skip_rest "nixos-eval is absent ($NIXOS_EVAL)"

# th_nixos_toplevel: a stand-in NixOS toplevel for the NixOS scenarios, in $toplevel (needs `fixture boot`): the
# boot fixture's init, which builds the Debian root, plus networkd enabled (the fixture's Debian has it installed
# but disabled; a NixOS toplevel enables it through the guest module). A store path of its own, so that it is
# given as a prebuilt toplevel is; its closure is the fixture's ($closure) plus it. Always the same path for the
# same fixture, so runs leave no new store paths.
th_nixos_toplevel() {
	local dir=$T/toplevel/nixos-system-nixos-nspawn-fixture
	command -v nix-store >/dev/null || skip_rest "nix-store is absent"
	mkdir -p "$dir"
	{
		head -n 1 "$init"
		cat <<-EOF
			FIXTURE_INIT_DRY_RUN=1 $init >/dev/null || exit 1
			mkdir -p /etc/systemd/system/multi-user.target.wants
			ln -sf /lib/systemd/system/systemd-networkd.service /etc/systemd/system/multi-user.target.wants/
			exec /lib/systemd/systemd "\$@"
		EOF
	} >"$dir/init"
	chmod 555 "$dir/init"
	toplevel=$(NIX_REMOTE=local NIX_CONFIG=$'build-users-group =\nsubstituters =' nix-store --add "$dir") ||
		skip_rest "nix-store --add failed"
}

# nixos_render NAME FILE: host.nix + FILE → $T/NAME (a root-like tree, as NixOS would write it); log in $T/NAME.log
nixos_render() {
	rm -rf "$T/$1"
	OUTPUT=units OUT_DIR=$T/$1 NIXOS_EVAL_PACKAGE_UNITS="nixos-nspawn@.service systemd-nspawn@.service" \
		"$NIXOS_EVAL/eval.sh" "$TOP/nixos/host.nix" "$2" >"$T/$1.log" 2>&1
}
# nixos_ours DIR: the files of a rendered tree that this test installs: those matching $nixos_ours_re
nixos_ours() {
	(cd "$1/etc" 2>/dev/null && find systemd/system nixos-nspawn -mindepth 1 \( -type f -o -type l \) 2>/dev/null |
		grep -E "$nixos_ours_re") | sort
}
# nixos_unit_text DIR UNIT: a unit's file and drop-ins as systemd reads them, without X-Reload-Triggers= lines
_nixos_unit_text() { cat "$1/etc/systemd/system/$2" "$1/etc/systemd/system/$2.d/"* 2>/dev/null | grep -v '^X-Reload-Triggers='; }

# _nixos_same A B: two files or directories are the same, or both absent
_nixos_same() { { [ ! -e "$1" ] && [ ! -e "$2" ]; } || diff -rq "$1" "$2" >/dev/null 2>&1; }

# nixos_activate OLD NEW: what `nixos-rebuild switch` does, for the files of this test (switch-to-configuration
# cannot run here), by its rules: an active unit whose file or drop-ins changed is reloaded when only its
# X-Reload-Triggers= changed, and otherwise stopped before the new files are installed and started after
# (NixOS's default stopIfChanged; X-RestartIfChanged=false leaves it alone); then machines.target is started,
# which starts what it newly wants. Unit files go to /run/systemd/system (gone with the test host), settings to
# /etc, tmpfiles rules of $nixos_machines_re are applied. The fake store path of systemd's tools in the rendered
# units becomes the test host's /usr. An empty OLD: mkdir -p OLD/etc.
nixos_activate() {
	local old=$1 new=$2 f unit restart=() reload=()
	mkdir -p "$old/etc"
	for unit in $( { nixos_ours "$old"; nixos_ours "$new"; } | grep '^systemd/system/' |
		grep -vE '\.(wants|requires)/' | sed -E 's|^systemd/system/||; s|\.d/.*||' | sort -u); do
		_nixos_same "$old/etc/systemd/system/$unit" "$new/etc/systemd/system/$unit" &&
			_nixos_same "$old/etc/systemd/system/$unit.d" "$new/etc/systemd/system/$unit.d" && continue
		th_exec systemctl -q is-active "$unit" || continue
		grep -qx 'X-RestartIfChanged=false' "$old/etc/systemd/system/$unit.d/"* 2>/dev/null && continue
		if [ -e "$new/etc/systemd/system/$unit.d" ] && [ "$(_nixos_unit_text "$old" "$unit")" = "$(_nixos_unit_text "$new" "$unit")" ]; then
			reload+=("$unit")
		else
			restart+=("$unit")
		fi
	done
	[ ${#restart[@]} = 0 ] || th_exec systemctl stop "${restart[@]}"
	for f in $(nixos_ours "$old"); do
		case $f in systemd/system/*) th_exec rm -f "/run/$f" ;; *) th_exec rm -f "/etc/$f" ;; esac
	done
	for f in $(nixos_ours "$new"); do
		case $f in
		systemd/system/*)
			th_exec mkdir -p "/run/$(dirname "$f")"
			if [ -L "$new/etc/$f" ]; then th_exec ln -sfn "$(readlink "$new/etc/$f")" "/run/$f"
			else sed 's|/nix/store/00000000000000000000000000000000-systemd/|/usr/|g' "$new/etc/$f" | th_sh 'cat > "/run/$1"' "$f"; fi ;;
		*) th_exec mkdir -p "/etc/$(dirname "$f")"; th_sh 'cat > "/etc/$1"' "$f" <"$new/etc/$f" ;;
		esac
	done
	# NixOS's tmpfiles rules of these containers (systemd-tmpfiles --create runs at activation)
	grep -hE "/var/lib/machines/($nixos_machines_re) " "$new/etc/tmpfiles.d/00-nixos.conf" 2>/dev/null |
		th_sh 'mkdir -p /run/tmpfiles.d && cat > /run/tmpfiles.d/nixos-test-$1.conf && systemd-tmpfiles --create /run/tmpfiles.d/nixos-test-$1.conf' "$$"
	th_exec systemctl daemon-reload
	for unit in "${restart[@]}"; do
		[ -e "$new/etc/systemd/system/$unit" ] || [ -e "$new/etc/systemd/system/$unit.d" ] && th_exec systemctl start "$unit"
	done
	[ ${#reload[@]} = 0 ] || th_exec systemctl reload "${reload[@]}"
	nixos_reloaded=${reload[*]} nixos_restarted=${restart[*]}
	th_exec systemctl start machines.target
}
