# shellcheck shell=bash
# The three examples of the original nixos-nspawn README.

# --- a plain container with htop ---
render htop "$TOP/checks/nixos/cases/htop.nix"
_report $? "htop: evaluates and renders" "$(tail -n 5 "$T/htop.err")"
d=$T/htop
conf=$d/etc/nixos-nspawn/mycontainer.conf
ok "htop: the settings file /etc/nixos-nspawn/mycontainer.conf is written" test -f "$conf"
assert_eq "htop: it is declarative" "$(sed -n 's/^NIXOS_NSPAWN_ORIGIN=//p' "$conf")" declarative
system=$(sed -n 's/^NIXOS_NSPAWN_SYSTEM=//p' "$conf")
assert_match "htop: NIXOS_NSPAWN_SYSTEM is the container's toplevel" "$system" '^/nix/store/[0-9a-z]{32}-nixos-system-mycontainer-'
assert_eq "htop: --init is the toplevel's init" "$(arg_value "$d" mycontainer --init)" "$system/init"
closure=$(arg_value "$d" mycontainer --closure)
assert_match "htop: --closure is a closureInfo's store-paths" "$closure" '^/nix/store/[0-9a-z]{32}-closure-info/store-paths$'
assert_eq "htop: the closure is exactly the toplevel's (and the packages it names), never the whole store" \
	"$(sort "$d$closure" | xargs)" "$(printf '%s\n' "$system" /nix/store/00000000000000000000000000000000-htop | sort | xargs)"
assert_eq "htop: the container's hostname is its name" "$(cat "$d$system/etc/hostname")" mycontainer
assert_eq "htop: default arguments: picked user namespace, its journal kept on the host, a veth" \
	"$(launcher_args "$d" mycontainer | grep -v -e '^--init=' -e '^--closure=' | xargs)" "--private-users=pick --link-journal=try-host --network-veth"
dropin=$(unit_dropin "$d" nixos-nspawn@mycontainer.service)
ok "htop: the container is an instance of the packaged template (a drop-in, no unit file of its own)" \
	test ! -e "$d/etc/systemd/system/nixos-nspawn@mycontainer.service"
assert_eq "htop: it starts with machines.target" "$(readlink "$d/etc/systemd/system/machines.target.wants/nixos-nspawn@mycontainer.service")" "../nixos-nspawn@mycontainer.service"
ok "htop: machines.target starts with multi-user.target" test -L "$d/etc/systemd/system/multi-user.target.wants/machines.target"
assert_eq "htop: TimeoutStartSec defaults to 5min (a first start on a loaded host; the NixOS test driver waits 300 s)" "$(key_of "$dropin" TimeoutStartSec)" 5min
assert_match "htop: restart triggers are set (every input, not only the toplevel)" "$(key_of "$dropin" X-Restart-Triggers)" '^/nix/store/'
assert_eq "htop: restarted after a failure by default (Restart=on-failure, as nixpkgs' containers)" "$(key_of "$dropin" Restart)" on-failure
assert_eq "htop: no reload (strategy restart)" "$(key_of "$dropin" ExecReload)$(key_of "$dropin" X-Reload-Triggers)" ""
m=$(unit_dropin "$d" systemd-nspawn@mycontainer.service)
assert_eq "htop: machinectl start starts the container's own unit (one definition of its settings): runs nothing itself" \
	"$(key_of "$m" ExecStart | sed 's|^/nix/store/[^/]*/|STORE/|' | xargs)|$(key_of "$m" Type)|$(key_of "$m" RemainAfterExit)" \
	"STORE/bin/systemctl is-active --quiet nixos-nspawn@mycontainer.service|oneshot|true"
assert_eq "htop: …bound to nixos-nspawn@mycontainer, after it, and not stopping it (a crash would cancel its restart)" \
	"$(key_of "$m" BindsTo)|$(key_of "$m" After)|$(key_of "$m" PropagatesStopTo)" \
	"nixos-nspawn@mycontainer.service|nixos-nspawn@mycontainer.service|"
assert_eq "htop: the container's unit upholds the handle (back after a restart)" "$(key_of "$dropin" Upholds)" \
	"systemd-nspawn@mycontainer.service"
s=$(summary htop "$TOP/checks/nixos/cases/htop.nix" '[.summary.systemd.network.enable, .summary.networking.useNetworkd, .summary.services.resolved.enable, .summary.services.resolved.extraConfig, .summary.networking.firewall.interfaces["ve-+"].allowedUDPPorts, .summary.boot.kernel.sysctl["fs.inotify.max_user_instances"]]')
assert_eq "htop: networkd may hold the sockets of hundreds of containers' links (5 or 6 each, soft limit 1024 otherwise)" \
	"$(key_of "$(unit_dropin "$d" systemd-networkd.service)" LimitNOFILE)" "65536:524288"
assert_eq "htop: host: networkd for the containers' links only (not the host's backend), no resolved unless asked, DHCP+mDNS open on ve-*, more inotify instances" "$s" '[true,false,false,"",[67,5353],8192]'

# --- nginx on the host as a reverse proxy to the container's nginx ---
render proxy "$TOP/checks/nixos/cases/reverse-proxy.nix"
_report $? "reverse proxy: evaluates and renders" "$(tail -n 5 "$T/proxy.err")"
d=$T/proxy
ok "reverse proxy: the container's nginx settings reach its configuration" grep -q 'accepted unchecked: .*services.nginx' "$T/proxy.err"
assert_match "reverse proxy: the container has a veth (reached as backend.local over mDNS)" "$(launcher_args "$d" backend | xargs)" '--network-veth'
n=$(cat "$d/etc/systemd/system/nginx.service" "$d/etc/systemd/system/nginx.service.d/overrides.conf" 2>/dev/null)
assert_eq "reverse proxy: the host's nginx starts once the container's name resolves" "$(key_of "$n" After) $(key_of "$n" Requires)" "backend-name.service backend-name.service"
b=$(cat "$d/etc/systemd/system/backend-name.service")
assert_eq "reverse proxy: …which waits for it after the container is ready, with a deadline" "$(key_of "$b" After) $(key_of "$b" TimeoutStartSec)" "nixos-nspawn@backend.service 5min"
[ "$(sed -n 's/^NIXOS_NSPAWN_SYSTEM=//p' "$d/etc/nixos-nspawn/backend.conf")" != "$system" ]
_report $? "reverse proxy: its toplevel differs from the htop container's"

# --- static addresses on both veth ends ---
render static "$TOP/checks/nixos/cases/static.nix"
_report $? "static: evaluates and renders" "$(tail -n 5 "$T/static.err")"
d=$T/static
assert_eq "static: the host end's settings go to the launcher as an override file" \
	"$(arg_value "$d" testcontainer --network-veth-host-config)" /etc/nixos-nspawn/testcontainer.host.network
assert_eq "static: …so does the container end's" \
	"$(arg_value "$d" testcontainer --network-veth-container-config)" /etc/nixos-nspawn/testcontainer.container.network
assert_eq "static: host override, rendered from systemd.network.networks form" "$(cat "$d/etc/nixos-nspawn/testcontainer.host.network")" "[Network]
Address=fc42::1/64
Address=192.168.42.1/24
DHCPServer=no"
assert_eq "static: container override" "$(cat "$d/etc/nixos-nspawn/testcontainer.container.network")" "[Network]
Address=fc42::2/64
Address=192.168.42.2/24
DHCP=no
Gateway=fc42::1
Gateway=192.168.42.1"
ok "htop: an empty /var/lib/machines/mycontainer, so that machinectl start accepts the name" \
	grep -qE '^d +/var/lib/machines/mycontainer +0700 root root' "$T/htop/etc/tmpfiles.d/00-nixos.conf"
