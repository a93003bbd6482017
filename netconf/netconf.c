/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sched.h>
#include <time.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "link.h"
#include "lockfile.h"
#include "log.h"
#include "netconf.h"
#include "netlink.h"
#include "sdbus-dl.h"
#include "strutil.h"
#include "svcmgr.h"
#include "units.h"

#include <dirent.h>

#define NETWORK_DIR "/run/systemd/network"
/* Sorts after every 10-ve-NAME.network ('.' after '-'), so a container's own unit (a host override) comes first, and
 * before the distribution's 80-container-ve.network. */
#define SHARED_UNIT_NAME "10-ve.network"

#define ZONE_LOCK_DIR "/run/nixos-nspawn/zones"

bool netconf_plan_wants_links(const NetconfPlan *p) {
        return p->veth || p->zone || p->bridge || (p->macvlan && p->macvlan[0]) || (p->interfaces && p->interfaces[0]);
}

static void remember_ifindex(Netconf *n, const char *name) {
        unsigned i = if_nametoindex(name);

        if (i > 0 && n->n_ifindexes < sizeof n->ifindexes / sizeof n->ifindexes[0])
                n->ifindexes[n->n_ifindexes++] = (int) i;
}

/* rtnetlink talks to the namespace its socket was made in: make one in the container's and come back. */
static int netlink_open_in_netns(pid_t pid, int *ret) {
        _cleanup_close_ int own = -EBADF, theirs = -EBADF;
        char path[64];
        int r;

        snprintf(path, sizeof path, "/proc/%d/ns/net", (int) pid);
        own = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
        theirs = open(path, O_RDONLY | O_CLOEXEC);
        if (own < 0 || theirs < 0)
                return -errno;
        if (setns(theirs, CLONE_NEWNET) < 0)
                return -errno;
        r = netlink_open(ret);
        if (setns(own, CLONE_NEWNET) < 0)
                abort(); /* cannot fail for root; carrying on in the container's namespace would be worse */
        return r;
}

/* The veth pair netconf_prepare() named: n->host on the host, host0 in the container, host0 up. Both ends are born
 * in the container's network namespace, where the host end gets its alternative names, and the host end is then
 * moved out: networkd on the host sees it for the first time with those names, so the shared unit that matches
 * one of them (netconf_prepare()) is the one it takes. (A name added after the link appeared on the host comes
 * too late: networkd 252 matches a link's unit once, when it first sees it, and then not again on a new name.) */
static int make_veth(Netconf *n, pid_t pid1) {
        const char *altnames[LINK_ALTNAMES_MAX] = { n->host.altname, n->host_shared_altname };
        _cleanup_close_ int nl = -EBADF;
        uint8_t mac[6], peer_mac[6];
        int r;

        (void) link_mac(n->host.name, "host", mac);
        (void) link_mac(n->host.name, "container", peer_mac);
        r = netlink_open_in_netns(pid1, &nl);
        if (r < 0)
                return log_error_errno(r, "Failed to open an rtnetlink socket in the container's namespace: %m");
        /* until it is moved out, what fails leaves the pair in the container's namespace, which takes it along */
        r = link_create_veth(nl, n->host.name, altnames, mac, "host0", peer_mac);
        if (r < 0)
                return log_error_errno(r, "Failed to create the veth pair %s/host0: %m", n->host.name);
        /* the container's end first: the host end has carrier from the moment it is up (docs/networking.md) */
        r = link_set_up(nl, "host0");
        if (r < 0)
                return log_error_errno(r, "Failed to bring up host0: %m");
        r = link_move(nl, n->host.name, getpid());
        /* Never left behind by a killed launcher (a veth dies with its container's namespace), so it is someone
         * else's: another container whose long name shortens to the same, or a link made by hand. Not ours to
         * remove. */
        if (r == -EEXIST)
                return log_error_errno(r, "Failed to create the veth pair: %s exists already (another container's, "
                                       "whose long name shortens to the same?).", n->host.name);
        if (r < 0)
                return log_error_errno(r, "Failed to move %s to the host: %m", n->host.name);
        n->host_made = true; /* ours from now on: removed at exit */
        remember_ifindex(n, n->host.name);
        return 0;
}

/* The host end into the bridge (the zone's, or the one --network-bridge named), up. */
static int attach_to_bridge(Netconf *n) {
        int r;

        r = link_set_master(n->nl, n->host.name, n->bridge.name);
        if (r >= 0)
                r = link_set_up(n->nl, n->host.name);
        if (r < 0)
                return log_error_errno(r, "Failed to add %s to %s: %m", n->host.name, n->bridge.name);
        return 0;
}

/* Blocks until we hold the zone's lock; the fd holds it. */
static int zone_lock(const char *zone) {
        _cleanup_free_ char *path = strprintf(ZONE_LOCK_DIR "/%s", zone);
        int fd, r;

        if (!path)
                return -ENOMEM;
        r = mkdir_p(ZONE_LOCK_DIR, 0755);
        if (r >= 0) /* the zone's last member removes the file while holding it: lock_file_wait() checks for that */
                r = lock_file_wait(path, &fd);
        return r < 0 ? r : fd;
}

/* The caller holds the zone's lock. */
static int join_zone(Netconf *n, pid_t pid1) {
        int r;

        n->zone_joined = true; /* from here on, what fails leaves what netconf_done() cleans up with the zone */
        r = link_create_bridge(n->nl, n->bridge.name, n->bridge.altname);
        if (r < 0 && r != -EEXIST)
                return log_error_errno(r, "Failed to create the bridge %s: %m", n->bridge.name);
        r = link_set_up(n->nl, n->bridge.name);
        if (r < 0)
                return log_error_errno(r, "Failed to bring up %s: %m", n->bridge.name);

        r = make_veth(n, pid1);
        if (r >= 0)
                r = attach_to_bridge(n);
        if (r < 0)
                return r;
        remember_ifindex(n, n->bridge.name);
        return 0;
}

/* The networkd that will read the host's units: its version from the service manager, when there is one. */
static unsigned host_networkd_version(void) {
        sd_bus *bus = NULL;
        char *version = NULL;
        unsigned v = 0;

        if (!svcmgr_booted() || sdbus_open_system(&bus) < 0)
                return 0;
        if (sdbus.sd_bus_get_property_string(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                       "org.freedesktop.systemd1.Manager", "Version", NULL, &version) >= 0)
                (void) units_parse_version(version, &v);
        free(version);
        sdbus_close(bus);
        return v;
}

/* Asks networkd to reload its units (reload), or only whether it is on the bus (GetNameOwner, which the bus answers:
 * a start that changed no unit asks nothing of networkd itself). Why not, into reason. */
static int ask_networkd(bool reload, char reason[static 128]) {
        _cleanup_(sdbus_error_freep) sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus *bus = NULL;
        int r;

        r = sdbus_open_system(&bus);
        if (r >= 0 && reload)
                r = sdbus.sd_bus_call_method(bus, "org.freedesktop.network1", "/org/freedesktop/network1",
                                       "org.freedesktop.network1.Manager", "Reload", &error, NULL, "");
        else if (r >= 0)
                r = sdbus.sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                       "GetNameOwner", &error, NULL, "s", "org.freedesktop.network1");
        if (r < 0)
                snprintf(reason, 128, "%s", error.message ?: strerror(-r));
        sdbus_close(bus);
        return r;
}

static int reload_networkd(void) {
        char reason[128];
        int r = ask_networkd(true, reason);

        if (r < 0)
                log_debug("Reloading systemd-networkd failed: %s", reason);
        return r;
}

static void networkd_configures(bool reload, const char *what) {
        char reason[128];

        if (ask_networkd(reload, reason) < 0)
                log_warning("Could not ask systemd-networkd to configure %s (%s); it stays unconfigured on the host.", what,
                            reason);
}

/* defaults, the user's fragment over them, adapted to networkd `version` (0: unknown, keep all), as text */
static int render_unit(UnitKind kind, const char *ifname, const char *bridge, const char *override_path,
                       unsigned version, const char *machine, char **ret) {
        _cleanup_ini_free_ IniFile *unit = NULL, *override = NULL;
        _cleanup_free_ char *error = NULL;
        int r;

        r = units_defaults(kind, ifname, bridge, &unit);
        if (r < 0)
                return log_error_errno(r, "Failed to make the network unit for %s: %m", ifname);
        if (override_path) {
                r = units_load_override(override_path, &override, &error);
                if (r < 0 && error)
                        return log_error_errno(r, "Invalid network settings in %s", error);
                if (r < 0)
                        return log_error_errno(r, "Failed to read network settings '%s': %m", override_path);
                r = units_merge(unit, override, &error);
                if (r < 0 && error)
                        return log_error_errno(r, "Invalid network settings in %s", error);
                if (r < 0)
                        return log_error_errno(r, "Failed to merge network settings '%s': %m", override_path);
        }
        if (version > 0) {
                r = units_filter(unit, version);
                if (r < 0)
                        return log_error_errno(r, "networkd %u is too old for our units: %m", version);
        }
        r = units_render(unit, machine, ret);
        if (r < 0)
                return log_error_errno(r, "Failed to render the network unit for %s: %m", ifname);
        return 0;
}

/* Our units for links that no longer exist, whose machine no launcher runs: what killed launchers left. (A
 * running launcher writes its host unit before it makes the link: that one must stay.) The link a unit is for is
 * what its [Match] Name= says, the machine what its header says. */
void netconf_remove_stale_units(NetconfIsRunningFn machine_is_running) {
        DIR *d = opendir(NETWORK_DIR);
        struct dirent *de;
        bool removed = false;

        if (!d)
                return;
        while ((de = readdir(d))) {
                _cleanup_free_ char *text = NULL, *machine = NULL;
                _cleanup_close_ int fd = -EBADF;
                char ifname[IFNAMSIZ];

                if (!startswith(de->d_name, "10-") || !endswith(de->d_name, ".network") || de->d_type != DT_REG)
                        continue;
                fd = openat(dirfd(d), de->d_name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
                if (fd < 0 || read_full_fd(fd, 64 * 1024, &text, NULL) != 0)
                        continue;
                if (units_parse_ours(text, &machine, ifname) < 0)
                        continue; /* not ours */
                /* a zone's bridge unit is written before its bridge, under the zone's lock we do not hold */
                if (if_nametoindex(ifname) > 0 || startswith(ifname, "vz-"))
                        continue;
                if (machine_is_running && machine_is_running(machine))
                        continue; /* a running launcher's (a zone's bridge unit names the zone) */
                if (units_remove_if_ours(dirfd(d), de->d_name, NULL) > 0) {
                        log_debug("Removed stale network unit %s/%s.", NETWORK_DIR, de->d_name);
                        removed = true;
                }
        }
        closedir(d);
        /* networkd keeps a unit it read until it reloads: a link of that name made later without a unit of its
         * own (the shared one) would still get it */
        if (removed)
                (void) reload_networkd();
}

static int add_container_unit(Netconf *n, UnitKind kind, const char *ifname, const char *override) {
        size_t i = n->n_container_units;
        int r;

        if (i >= ELEMENTSOF(n->container_units))
                return log_error_errno(-E2BIG, "Too many links for one container.");
        n->container_unit_names[i] = strprintf("10-%s.network", ifname);
        if (!n->container_unit_names[i])
                return log_oom();
        r = render_unit(kind, ifname, NULL, override, 0, n->plan.machine, &n->container_units[i]);
        if (r < 0) {
                free(n->container_unit_names[i]);
                n->container_unit_names[i] = NULL;
                return r;
        }
        n->n_container_units++;
        return 0;
}

/* Every link's name, once. */
static int name_links(Netconf *n) {
        const NetconfPlan *p = &n->plan;
        int r;

        if (p->zone) {
                r = link_name("vz-", p->zone, n->bridge.name, &n->bridge.altname);
                if (r < 0)
                        return log_error_errno(r, "Failed to name the bridge of zone '%s': %m", p->zone);
        } else if (p->bridge)
                /* not ours: its name as given (checked to be an interface name) */
                snprintf(n->bridge.name, sizeof n->bridge.name, "%s", p->bridge);
        if (p->zone || p->bridge || p->veth) {
                r = link_name(p->zone || p->bridge ? "vb-" : "ve-", p->machine, n->host.name, &n->host.altname);
                if (r < 0)
                        return log_error_errno(r, "Failed to name the host side of the veth: %m");
        }
        if (!p->zone && !p->bridge && p->veth) {
                n->host_shared_altname = strprintf(LINK_VETH_ALTNAME_PREFIX "%s", p->machine);
                if (!n->host_shared_altname)
                        return log_oom();
        }
        for (char *const *i = p->macvlan; i && *i; i++) {
                NetconfLink *l = &n->macvlan[n->n_macvlan];

                if (n->n_macvlan >= ELEMENTSOF(n->macvlan))
                        return log_error_errno(-E2BIG, "Too many links for one container.");
                r = link_name("mv-", *i, l->name, &l->altname);
                if (r < 0)
                        return log_error_errno(r, "Failed to name the macvlan on '%s': %m", *i);
                n->n_macvlan++;
        }
        return 0;
}

int netconf_prepare(Netconf *n, const NetconfPlan *p) {
        const char *host = n->host.name, *bridge = n->bridge.name;
        unsigned version;
        int r;

        n->plan = *p;
        if (!netconf_plan_wants_links(p))
                return 0;
        r = name_links(n);
        if (r < 0)
                return r;
        version = host_networkd_version();

        if (p->zone || p->bridge) {
                n->host_unit_name = strprintf("10-%s.network", host);
                if (!n->host_unit_name)
                        return log_oom();
                /* the port is the same in both: ours, enslaved by us, Unmanaged=yes (units.c says why) */
                r = render_unit(UNIT_ZONE_PORT, host, bridge, NULL, version, p->machine, &n->host_unit);
                if (r < 0)
                        return r;
        }
        if (p->zone) {
                n->zone_unit_name = strprintf("10-%s.network", bridge);
                if (!n->zone_unit_name)
                        return log_oom();
                /* the host fragment configures the zone's bridge, where addresses and the DHCP server live */
                r = render_unit(UNIT_ZONE_BRIDGE, bridge, NULL, p->host_config, version, p->zone, &n->zone_unit);
                if (r < 0)
                        return r;
        } else if (!p->bridge && p->veth && !p->host_config) {
                /* One unit for all of them, matching the alternative name make_veth() gives each link, so that a
                 * start asks nothing of networkd: a reload re-reads every unit and re-matches every link, and
                 * each start asking for one made N starts cost networkd O(N²), one at a time (at 100 containers
                 * 38 ms a start, against 5 ms with this; docs/benchmarks.md section 9). */
                r = units_render_shared(UNIT_VETH_HOST, LINK_VETH_ALTNAME_PREFIX "*", version, &n->shared_unit);
                if (r < 0)
                        return log_error_errno(r, "Failed to make the shared network unit for %s: %m", host);
        } else if (!p->bridge && p->veth) {
                n->host_unit_name = strprintf("10-%s.network", host);
                if (!n->host_unit_name)
                        return log_oom();
                r = render_unit(UNIT_VETH_HOST, host, NULL, p->host_config, version, p->machine, &n->host_unit);
                if (r < 0)
                        return r;
        }

        if (host[0]) {
                /* A link of this name that is not ours: its unit must not be overwritten, nor the link removed.
                 * A namespace that is just dying (a container of this name stopped a moment ago: its launcher
                 * leaves the veth to the kernel, netconf_done()) takes its veth along, usually within 10–20 ms:
                 * give it a second, looking every millisecond so a restart waits no longer than the kernel. */
                for (int i = 0; if_nametoindex(host) > 0; i++) {
                        if (i == 1000)
                                return log_error_errno(-EEXIST, "Link %s exists already (another container's, whose "
                                                       "name shortens to the same?).", host);
                        nanosleep(&(struct timespec) { .tv_nsec = 1000 * 1000 }, NULL);
                }
                r = add_container_unit(n, UNIT_VETH_CONTAINER, "host0", p->container_config);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < n->n_macvlan; i++) {
                r = add_container_unit(n, UNIT_MACVLAN_CONTAINER, n->macvlan[i].name, NULL);
                if (r < 0)
                        return r;
        }
        return 0;
}

static bool same_contents(const char *dir, const char *name, const char *text) {
        _cleanup_free_ char *path = strprintf("%s/%s", dir, name), *old = NULL;

        return path && read_full_file(path, &old, NULL) >= 0 && streq(old, text);
}

static int write_unit(int dirfd, const char *dir, const char *name, const char *text, uid_t owner) {
        int r = units_write_atomic(dirfd, name, text, owner);

        if (r < 0)
                return log_error_errno(r, "Failed to write %s/%s: %m", dir, name);
        return 0;
}

int netconf_write_container_units(Netconf *n, int network_dir, int resolved_dir, uid_t container_root) {
        int r;

        for (size_t i = 0; i < n->n_container_units; i++) {
                r = write_unit(network_dir, "(container)/run/systemd/network", n->container_unit_names[i],
                               n->container_units[i], container_root);
                if (r < 0)
                        return r;
        }
        if (n->n_container_units > 0 && resolved_dir >= 0) {
                _cleanup_free_ char *text = NULL;

                r = units_resolved_dropin(n->plan.machine, &text);
                if (r < 0)
                        return log_error_errno(r, "Failed to make the container's resolved drop-in: %m");
                return write_unit(resolved_dir, "(container)/run/systemd/resolved.conf.d",
                                  "10-nixos-nspawn-mdns.conf", text, container_root);
        }
        return 0;
}

/* The shared unit in place, as this launcher renders it. A unit named for this link that networkd may still hold
 * from an earlier run of this machine with a host override would match first: it goes, and networkd reloads. */
static int write_shared_unit(Netconf *n, int host_dir) {
        _cleanup_free_ char *own = strprintf("10-%s.network", n->host.name);
        bool reload = false;
        int r;

        if (!own)
                return log_oom();
        if (!same_contents(NETWORK_DIR, SHARED_UNIT_NAME, n->shared_unit)) {
                r = write_unit(host_dir, NETWORK_DIR, SHARED_UNIT_NAME, n->shared_unit, (uid_t) -1);
                if (r < 0)
                        return r;
                reload = true;
        }
        if (units_remove_if_ours(host_dir, own, n->plan.machine) > 0)
                reload = true;
        networkd_configures(reload, n->host.name);
        return 0;
}

static int write_host_units(Netconf *n) {
        _cleanup_close_ int host_dir = -EBADF;
        int r;

        if (!n->host_unit && !n->shared_unit)
                return 0;
        r = mkdir_p(NETWORK_DIR, 0755);
        host_dir = r < 0 ? r : open(NETWORK_DIR, O_DIRECTORY | O_CLOEXEC);
        if (host_dir < 0)
                return log_error_errno(r < 0 ? r : negative_errno(), "Failed to open %s: %m", NETWORK_DIR);
        if (n->shared_unit)
                return write_shared_unit(n, host_dir);
        if (n->zone_unit && !same_contents(NETWORK_DIR, n->zone_unit_name, n->zone_unit)) {
                /* Only when it changed: the zone's other containers wrote the same, and a rewritten unit makes
                 * networkd's reload reconfigure the bridge, with a new pool address under their leases. */
                r = write_unit(host_dir, NETWORK_DIR, n->zone_unit_name, n->zone_unit, (uid_t) -1);
                if (r < 0)
                        return r;
        }
        r = write_unit(host_dir, NETWORK_DIR, n->host_unit_name, n->host_unit, (uid_t) -1);
        if (r < 0)
                return r;
        n->host_unit_path = strprintf(NETWORK_DIR "/%s", n->host_unit_name);
        if (!n->host_unit_path)
                return log_oom();
        networkd_configures(true, n->host.name);
        return 0;
}

int netconf_links(Netconf *n, pid_t pid1) {
        const NetconfPlan *p = &n->plan;
        _cleanup_close_ int zone_lock_fd = -EBADF;
        int r = 0;

        if (!netconf_plan_wants_links(p))
                return 0;
        /* A zone's unit, its bridge and the first port, or the last port, the bridge and the unit, come and go
         * under the zone's lock: a launcher joining a zone whose last member is leaving must not end up with a
         * bridge without a unit. */
        if (p->zone) {
                zone_lock_fd = zone_lock(p->zone);
                if (zone_lock_fd < 0)
                        return log_error_errno(zone_lock_fd, "Failed to lock zone '%s': %m", p->zone);
        }
        /* The unit first, then the links, the container's end up before the host's: networkd configures the
         * host end once, with our unit, and it has carrier from the moment it is up. (A link networkd sees
         * before our unit gets the distribution's 80-container-ve.network and then ours; one that gains carrier
         * while networkd configures it gets a second pool address before networkd v254: systemd #26113.) */
        r = write_host_units(n);
        if (r < 0)
                return r;
        r = netlink_open(&n->nl);
        if (r < 0)
                return log_error_errno(r, "Failed to open an rtnetlink socket: %m");

        if (p->zone)
                r = join_zone(n, pid1);
        else if (p->bridge) {
                r = make_veth(n, pid1);
                if (r >= 0)
                        r = attach_to_bridge(n);
        } else if (p->veth)
                r = make_veth(n, pid1);
        if (r < 0)
                return r;

        for (size_t i = 0; i < n->n_macvlan; i++) {
                const char *parent = p->macvlan[i], *name = n->macvlan[i].name;
                uint8_t mac[6];

                (void) link_mac(name, p->machine, mac);
                r = link_create_macvlan(n->nl, parent, name, mac, pid1);
                if (r < 0)
                        return log_error_errno(r, "Failed to create macvlan %s on '%s': %m", name, parent);
        }
        for (char *const *i = p->interfaces; i && *i; i++) {
                r = link_move(n->nl, *i, pid1);
                if (r < 0)
                        return log_error_errno(r, "Failed to move interface '%s' into the container: %m", *i);
        }
        if (n->host_made) {
                r = link_set_up(n->nl, n->host.name);
                if (r < 0)
                        return log_error_errno(r, "Failed to bring up %s: %m", n->host.name);
        }
        return 0;
}

/* The caller holds the zone's lock. With no port left (or no bridge: a member killed before it made it), the
 * bridge, its unit and the lock file go: a member joining meanwhile waits for the lock and then finds the file
 * gone (lock_file_wait() re-checks), so it starts the zone afresh. Returns 1 when it removed the zone. */
static int zone_remove_if_empty(int nl, const char *zone, const char *bridge) {
        _cleanup_free_ char *lock_path = strprintf(ZONE_LOCK_DIR "/%s", zone), *unit = strprintf("10-%s.network", bridge);
        _cleanup_close_ int dir = -EBADF;
        int r = link_bridge_ports(bridge);

        if (r != 0 && r != -ENOENT)
                return 0;
        if (!lock_path || !unit)
                return log_oom();
        if (r == 0)
                (void) link_delete(nl, bridge);
        dir = open(NETWORK_DIR, O_DIRECTORY | O_CLOEXEC);
        if (dir >= 0)
                (void) units_remove_if_ours(dir, unit, NULL);
        (void) unlink(lock_path);
        return 1;
}

void netconf_remove_stale_zones(void) {
        _cleanup_close_ int nl = -EBADF;
        DIR *d = opendir(ZONE_LOCK_DIR);
        struct dirent *de;

        if (!d)
                return;
        while ((de = readdir(d))) {
                _cleanup_free_ char *path = NULL, *altname = NULL;
                char bridge[IFNAMSIZ];
                int fd = -EBADF;

                if (de->d_type != DT_REG || link_name("vz-", de->d_name, bridge, &altname) < 0)
                        continue;
                path = strprintf(ZONE_LOCK_DIR "/%s", de->d_name);
                /* held: a member joins or leaves right now, and takes care of it */
                if (!path || lock_file(path, &fd) < 0)
                        continue;
                if ((nl >= 0 || netlink_open(&nl) >= 0) && zone_remove_if_empty(nl, de->d_name, bridge) > 0)
                        log_info("Removed zone '%s' (bridge %s) that a killed launcher left without members.",
                                 de->d_name, bridge);
                safe_close(fd);
        }
        closedir(d);
}

void netconf_done(Netconf *n) {
        if (n->host_unit_path) {
                /* A reload, so networkd forgets it: the next start of this machine without a host override gets the
                 * shared unit, which a unit held from this run, naming the link, would otherwise beat. */
                if (unlink(n->host_unit_path) >= 0 && n->plan.veth && !n->plan.zone && !n->plan.bridge)
                        (void) reload_networkd();
                free(n->host_unit_path);
        }
        /* A plain veth goes with the container's network namespace: the kernel destroys the pair when the namespace
         * dies, which it does once PID 1 is reaped (container_done() kills it first) and nothing else holds it. That
         * happens in the kernel's namespace clean-up work, after we exit, batched with other namespaces, and is
         * what a killed launcher's veth relies on too. Deleting it ourselves costs an RCU grace period or two (tens
         * of ms, docs/benchmarks.md) on the path a service manager waits on, for nothing. A zone's or bridge's port
         * is deleted here: the zone's last member must see the bridge empty before it removes it, and a host
         * bridge's port list must not show ours after we are gone. A kept namespace (exported, joined) keeps its
         * links: those are deleted here too, and so is the veth of a start that failed (bad input leaves nothing
         * behind by the time the launcher has exited; speed does not matter there). */
        if (n->nl >= 0 && n->host_made && (!n->ran || n->plan.zone || n->plan.bridge || n->plan.netns_kept))
                (void) link_delete(n->nl, n->host.name);
        if (n->nl >= 0 && n->zone_joined) {
                _cleanup_close_ int lock_fd = zone_lock(n->plan.zone);

                /* the last container of a zone takes its bridge, the bridge's unit and the lock file along (a
                 * --network-bridge one is the host's: it stays) */
                if (lock_fd >= 0)
                        (void) zone_remove_if_empty(n->nl, n->plan.zone, n->bridge.name);
        }
        free(n->host.altname);
        free(n->bridge.altname);
        for (size_t i = 0; i < n->n_macvlan; i++)
                free(n->macvlan[i].altname);
        free(n->host_unit_name);
        free(n->host_unit);
        free(n->shared_unit);
        free(n->host_shared_altname);
        free(n->zone_unit_name);
        free(n->zone_unit);
        for (size_t i = 0; i < n->n_container_units; i++) {
                free(n->container_unit_names[i]);
                free(n->container_units[i]);
        }
        n->nl = safe_close(n->nl);
        *n = (Netconf) NETCONF_NULL;
}
