# shellcheck shell=bash
# Next to nixpkgs' own modules: each case stands in for a nixpkgs definition nixos-eval does not load (file and
# priority named in the case file) and checks that host and guest module neither conflict with it nor beat it.
C=$TOP/checks/nixos/cases

# --- guest: the rest of container-config.nix, and root's password options (users-groups.nix) ---
# guest NAME BODY: evaluates the guest module with the stand-ins and BODY; the full JSON in $T/guest-NAME.json
# (the values read back through /etc/probe.json, so that each is evaluated as NixOS would)
guest() {
	cat >"$T/guest-$1.nix" <<-NIX
		{ config, lib, ... }: {
		  imports = [ $C/nixpkgs-users.nix $C/nixpkgs-container-config.nix ];
		  config = lib.mkMerge [ { $2 } {
		    environment.etc."probe.json".text = builtins.toJSON {
		      inherit (config.environment) variables;
		      audit = config.security.audit.enable;
		      udev = config.services.udev.enable;
		      root = config.users.users.root.hashedPassword;
		    };
		  } ];
		}
	NIX
	"$NIXOS_EVAL/eval.sh" "$TOP/nixos/container.nix" "$T/guest-$1.nix" >"$T/guest-$1.json" 2>"$T/guest-$1.err"
}
gq() { jq -r '.summary.environment.etc["probe.json"].text' "$T/guest-$1.json" 2>&1 | jq -c "$2" 2>&1; }
# nixpkgs' warnings and failed assertions, as Nix prints them
guest_complaints() { grep -e 'evaluation warning' -e 'Failed assertions' -e '^error' "$T/guest-$1.err"; }

guest plain ''
_report $? "guest: evaluates with container-config.nix's NIX_REMOTE, audit and udev settings at their priorities" "$(grep -v '^note:' "$T/guest-plain.err" | tail -n 5)"
assert_eq "guest: NIX_REMOTE=daemon (container-config.nix) is unset: no nix-daemon and no daemon socket inside" \
	"$(gq plain .variables)" '{}'
assert_eq "guest: audit and udev stay off, as container-config.nix sets them" \
	"$(gq plain '[.audit, .udev]')" '[false,false]'
assert_eq "guest: root locked when no password option is set, nothing printed" \
	"$(gq plain .root)|$(guest_complaints plain)" '"!"|'
guest nix 'nix.enable = true;'
assert_eq "guest: with a nix-daemon of its own, NIX_REMOTE=daemon stays" "$(gq nix .variables.NIX_REMOTE)" '"daemon"'

guest immutable 'users.mutableUsers = false; users.users.root.initialHashedPassword = "$6$salt$hash";'
_report $? "guest: users.mutableUsers = false with root's initialHashedPassword evaluates (users-groups.nix's mkDefault hashedPassword)" \
	"$(grep -v '^note:' "$T/guest-immutable.err" | tail -n 5)"
assert_eq "guest: …root's password is that hash, no warning" \
	"$(gq immutable .root)|$(guest_complaints immutable)" '"$6$salt$hash"|'
guest initial 'users.users.root.initialPassword = "changeme";'
assert_eq "guest: root's initialPassword: no 'multiple password options' warning, not locked over it" \
	"$(gq initial .root)|$(guest_complaints initial)" 'null|'
guest file 'users.users.root.hashedPasswordFile = "/run/secrets/root";'
assert_eq "guest: root's hashedPasswordFile: no warning" \
	"$(gq file .root)|$(guest_complaints file)" 'null|'
guest own 'users.users.root.hashedPassword = lib.mkDefault "$6$own$hash";'
assert_eq "guest: a hashedPassword of the configuration's own, even a mkDefault, wins" \
	"$(gq own .root)|$(guest_complaints own)" '"$6$own$hash"|'
guest locked 'users.mutableUsers = false;'
assert_eq "guest: users.mutableUsers = false without any password: evaluates (machinectl shell is the way in), root locked" \
	"$(gq locked .root)|$(guest_complaints locked)" '"!"|'

render platform "$C/guest-hostplatform.nix"
_report $? "guest: a shared module with nixos-generate-config's nixpkgs.hostPlatform = mkDefault \"x86_64-linux\" and networking.useDHCP = mkDefault true evaluates in a container" \
	"$(grep -v '^note:' "$T/platform.err" | tail -n 5)"
top=$(sed -n 's/^NIXOS_NSPAWN_SYSTEM=//p' "$T/platform/etc/nixos-nspawn/gen.conf")
assert_eq "guest: …and its platform wins over the host's default" "$(cat "$T/platform$top/etc/platform" 2>&1)" x86_64-linux

# --- host: inotify limits of other modules ---
inotify() { summary "$1" "$C/$1.nix" '.summary.boot.kernel.sysctl["fs.inotify.max_user_instances"]'; }
assert_eq "host: with a desktop (graphical-desktop.nix: mkDefault 524288) it evaluates and keeps 524288" "$(inotify host-graphical)" 524288
assert_eq "host: with incus (incus.nix: mkOverride 1050 1048576) it keeps 1048576" "$(inotify host-incus)" 1048576

# --- host: the host's own networking stays its own ---
nm() { summary host-networkmanager "$C/host-networkmanager.nix" "$1"; }
assert_eq "host: NetworkManager with dns = \"dnsmasq\" evaluates: resolved stays off, networkd only for the containers" \
	"$(nm '[.summary.networking.useNetworkd, .summary.services.resolved.enable, .summary.systemd.network.enable]')" '[false,false,true]'
full() { OUTPUT=full "$NIXOS_EVAL/eval.sh" "$TOP/nixos/host.nix" "$1" 2>/dev/null | jq -c "$2" 2>&1; }
assert_eq "host: …NetworkManager keeps its DNS and leaves the containers' links alone; networkd-wait-online off (nothing of the host's to wait for)" \
	"$(full "$C/host-networkmanager.nix" '[.forced["networking.networkmanager.dns"], .forced["networking.networkmanager.unmanaged"], .forced["systemd.network.wait-online.enable"]]')" \
	'["dnsmasq",["interface-name:ve-*","interface-name:vb-*","interface-name:vz-*","interface-name:mv-*"],false]'
render scripted "$C/host-scripted.nix"
_report $? "host: scripted networking with networking.defaultGateway = \"10.0.0.1\" (no interface) evaluates" "$(grep -v '^note:' "$T/scripted.err" | tail -n 5)"
assert_eq "host: …stays scripted (useNetworkd false), dhcpcd kept off the containers' links, wait-online off" \
	"$(summary scripted "$C/host-scripted.nix" .summary.networking.useNetworkd)$(full "$C/host-scripted.nix" '[.forced["networking.dhcpcd.denyInterfaces"], .forced["systemd.network.wait-online.enable"]]')" \
	'false[["ve-*","vb-*","vz-*"],false]'
assert_eq "host: …the only warning is NixOS's own about networkd next to dhcpcd (documented in docs/nixos.md)" \
	"$(grep -c 'evaluation warning' "$T/scripted.err") $(grep -c 'evaluation warning: The combination of `systemd.network.enable = true`, `networking.useDHCP = true`' "$T/scripted.err")" "1 1"
printf '{ lib, ... }: { imports = [ %s ]; networking.useNetworkd = true; networking.defaultGateway = lib.mkForce { address = "10.0.0.1"; interface = "eth0"; }; }\n' "$C/host-scripted.nix" >"$T/host-networkd.nix"
assert_eq "host: on a networkd host, networkd-wait-online never waits for a container's link" "$(full "$T/host-networkd.nix" '.forced["systemd.network"]["wait-online"].ignoredInterfaces // .forced["systemd.network.wait-online.ignoredInterfaces"]')" '["ve-*","vb-*","vz-*"]'
assert_eq "host: a networkd host keeps networkd-wait-online" "$(full "$T/host-networkd.nix" '.forced | if has("systemd.network.wait-online.enable") then .["systemd.network.wait-online.enable"] else "default" end')" '"default"'
render nonetworkd "$C/host-no-networkd.nix"
_report $? "host: systemd.network.enable = false evaluates" "$(grep -v '^note:' "$T/nonetworkd.err" | tail -n 5)"
assert_match "host: …with a warning naming what the container loses" "$(tr '\n' ' ' <"$T/nonetworkd.err")" \
	'nixos-nspawn: systemd.network.enable = false, .*\(web\).* no address, no DHCP server, no NAT and no mDNS'

# --- host: resolved only where asked for or already running ---
printf '{ nixos-nspawn.resolved.enable = true; nixos-nspawn.containers.web.config = { }; }\n' >"$T/resolved-optin.nix"
assert_eq "host: nixos-nspawn.resolved.enable = true runs resolved with mDNS" \
	"$(summary ro "$T/resolved-optin.nix" '[.summary.services.resolved.enable, .summary.services.resolved.extraConfig]')" '[true,"MulticastDNS=yes"]'
printf '{ services.resolved.enable = true; nixos-nspawn.containers.web.config = { }; }\n' >"$T/resolved-host.nix"
assert_eq "host: where resolved runs anyway, it gets mDNS" \
	"$(summary rh "$T/resolved-host.nix" '[.summary.services.resolved.enable, .summary.services.resolved.extraConfig]')" '[true,"MulticastDNS=yes"]'

# --- bind sources ---
render bc "$C/binds-create.nix"
_report $? "binds: createHostPath case evaluates" "$(grep -v '^note:' "$T/bc.err" | tail -n 5)"
created=$(grep -E '^d /(srv|etc)/' "$T/bc/etc/tmpfiles.d/00-nixos.conf" | sort)
assert_eq "binds: missing writable sources are created owned by root inside's host UID (foreign 2147352576, identity 0, a fixed range's base); an existing one is never chowned (':')" \
	"$created" "d /srv/app :0755 :2147352576 :2147352576 -
d /srv/fixed :0755 :1879048192 :1879048192 -
d /srv/plain :0755 :0 :0 -"

# --- start order on the host: bind sources mounted, devices present ---
render order "$C/start-order.nix"
_report $? "start order: a case with binds, a bridge, a macvlan and a moved interface evaluates" "$(grep -v '^note:' "$T/order.err" | tail -n 5)"
d=$(unit_dropin "$T/order" nixos-nspawn@br.service)
assert_eq "start order: RequiresMountsFor= each bind source ('%' doubled), so a bind never lands on an unmounted disk's empty mount point" \
	"$(key_of "$d" RequiresMountsFor | sort)" '/mnt/disk/db
/srv/50%%
/srv/same'
assert_eq "start order: a bridge is BindsTo= and After= (waited for; its loss stops the container)" \
	"$(key_of "$d" BindsTo)|$(key_of "$d" After)" "sys-subsystem-net-devices-br\\x2dlan.device|sys-subsystem-net-devices-br\\x2dlan.device"
d=$(unit_dropin "$T/order" nixos-nspawn@lan.service)
assert_eq "start order: a macvlan's parent BindsTo=, a moved interface only Requires= (moving it removes its host device unit), both After=" \
	"$(key_of "$d" BindsTo)|$(key_of "$d" Requires)|$(key_of "$d" After | paste -sd " ")" \
	"sys-subsystem-net-devices-eth1.device|sys-subsystem-net-devices-wlan\\x2d0.device|sys-subsystem-net-devices-eth1.device sys-subsystem-net-devices-wlan\\x2d0.device"
d=$(unit_dropin "$T/order" nixos-nspawn@plain.service)
assert_eq "start order: a container with neither binds nor host devices waits for nothing more" \
	"$(key_of "$d" RequiresMountsFor)$(key_of "$d" BindsTo)$(key_of "$d" Requires)$(key_of "$d" After)" ""

printf '{ imports = [ %s ]; boot.isContainer = true; }\n' "$C/start-order.nix" >"$T/order-ct.nix"
render orderct "$T/order-ct.nix"
assert_eq "start order: a host that is itself a container (no udev, no device units) waits for no device, still for the mounts" \
	"$(unit_dropin "$T/orderct" nixos-nspawn@br.service | grep -cE '^(BindsTo|Requires|After)=')$(unit_dropin "$T/orderct" nixos-nspawn@br.service | grep -c '^RequiresMountsFor=')" "03"
printf '{ lib, ... }: { imports = [ %s ]; networking.networkmanager.enable = lib.mkForce false; }\n' "$C/host-networkmanager.nix" >"$T/nm-off.nix"
assert_eq "host: without NetworkManager enabled, no unmanaged rule of ours" \
	"$(full "$T/nm-off.nix" '.forced["networking.networkmanager.unmanaged"] // "unset"')" '"unset"'
