/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "fileio.h"
#include "link.h"
#include "log.h"
#include "netconf.h"
#include "netlink.h"
#include "strutil.h"

#define ZONE_LOCK_DIR "/run/nixos-nspawn/zones"

bool netconf_plan_wants_links(const NetconfPlan *p) {
        return p->veth || p->zone || (p->macvlan && p->macvlan[0]) || (p->interfaces && p->interfaces[0]);
}

static void remember_ifindex(Netconf *n, const char *name) {
        unsigned i = if_nametoindex(name);

        if (i > 0 && n->n_ifindexes < sizeof n->ifindexes / sizeof n->ifindexes[0])
                n->ifindexes[n->n_ifindexes++] = (int) i;
}

/* A veth pair whose host end is named prefix+machine, the other end host0 in the container. */
static int make_veth(Netconf *n, const NetconfPlan *p, const char *prefix, pid_t pid1) {
        _cleanup_free_ char *altname = NULL;
        uint8_t mac[6], peer_mac[6];
        int r;

        r = link_name(prefix, p->machine, n->host_link, &altname);
        if (r < 0)
                return log_error_errno(r, "Failed to name the host side of the veth: %m");
        (void) link_mac(n->host_link, "host", mac);
        (void) link_mac(n->host_link, "container", peer_mac);

        r = link_create_veth(n->nl, n->host_link, altname, mac, "host0", peer_mac, pid1);
        if (r == -EEXIST) {
                /* a killed launcher of the same name left it (its container's netns is gone, so it is orphaned
                 * only if the peer died with a netns we no longer hold — a live one would hold our name lock) */
                log_info("Removing the link %s that an earlier run of %s left behind.", n->host_link, p->machine);
                (void) link_delete(n->nl, n->host_link);
                r = link_create_veth(n->nl, n->host_link, altname, mac, "host0", peer_mac, pid1);
        }
        if (r < 0)
                return log_error_errno(r, "Failed to create the veth pair %s/host0: %m", n->host_link);
        remember_ifindex(n, n->host_link);
        return 0;
}

/* Blocks until we hold the zone's lock; the fd holds it. */
static int zone_lock(const char *zone) {
        _cleanup_free_ char *path = strprintf(ZONE_LOCK_DIR "/%s", zone);
        int fd, r;

        if (!path)
                return -ENOMEM;
        r = mkdir_p(ZONE_LOCK_DIR, 0755);
        if (r < 0)
                return r;
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return -errno;
        if (flock(fd, LOCK_EX) < 0) {
                r = -errno;
                safe_close(fd);
                return r;
        }
        return fd;
}

static int join_zone(Netconf *n, const NetconfPlan *p, pid_t pid1) {
        _cleanup_free_ char *altname = NULL;
        _cleanup_close_ int lock_fd = -EBADF;
        int r;

        r = link_name("vz-", p->zone, n->bridge, &altname);
        if (r < 0)
                return log_error_errno(r, "Failed to name the bridge of zone '%s': %m", p->zone);

        /* Creating the bridge and adding the first port, or removing the last port and the bridge, must not
         * interleave between two launchers of the same zone. */
        lock_fd = zone_lock(p->zone);
        if (lock_fd < 0)
                return log_error_errno(lock_fd, "Failed to lock zone '%s': %m", p->zone);
        n->zone = strdup(p->zone);
        if (!n->zone)
                return -ENOMEM;

        r = link_create_bridge(n->nl, n->bridge, altname);
        if (r < 0 && r != -EEXIST)
                return log_error_errno(r, "Failed to create the bridge %s: %m", n->bridge);
        r = link_set_up(n->nl, n->bridge);
        if (r < 0)
                return log_error_errno(r, "Failed to bring up %s: %m", n->bridge);

        r = make_veth(n, p, "vb-", pid1);
        if (r < 0)
                return r;
        r = link_set_master(n->nl, n->host_link, n->bridge);
        if (r >= 0)
                r = link_set_up(n->nl, n->host_link);
        if (r < 0)
                return log_error_errno(r, "Failed to add %s to %s: %m", n->host_link, n->bridge);
        remember_ifindex(n, n->bridge);
        return 0;
}

int netconf_links(Netconf *n, const NetconfPlan *p, pid_t pid1) {
        int r;

        if (!netconf_plan_wants_links(p))
                return 0;
        r = netlink_open(&n->nl);
        if (r < 0)
                return log_error_errno(r, "Failed to open an rtnetlink socket: %m");

        if (p->zone)
                r = join_zone(n, p, pid1);
        else if (p->veth)
                r = make_veth(n, p, "ve-", pid1);
        if (r < 0)
                return r;

        for (char *const *i = p->macvlan; i && *i; i++) {
                char name[IFNAMSIZ];
                _cleanup_free_ char *altname = NULL;
                uint8_t mac[6];

                r = link_name("mv-", *i, name, &altname);
                if (r < 0)
                        return r;
                (void) link_mac(name, p->machine, mac);
                r = link_create_macvlan(n->nl, *i, name, mac, pid1);
                if (r < 0)
                        return log_error_errno(r, "Failed to create macvlan %s on '%s': %m", name, *i);
        }
        for (char *const *i = p->interfaces; i && *i; i++) {
                r = link_move(n->nl, *i, pid1);
                if (r < 0)
                        return log_error_errno(r, "Failed to move interface '%s' into the container: %m", *i);
        }
        return 0;
}

void netconf_done(Netconf *n) {
        for (size_t i = 0; i < n->n_host_units; i++) {
                (void) unlink(n->host_units[i]);
                free(n->host_units[i]);
        }
        n->n_host_units = 0;

        if (n->nl >= 0 && n->host_link[0])
                /* gone already when the container's namespace died with it; not when setup failed halfway */
                (void) link_delete(n->nl, n->host_link);

        if (n->nl >= 0 && n->bridge[0] && n->zone) {
                _cleanup_close_ int lock_fd = zone_lock(n->zone);

                /* the last container of a zone takes its bridge along */
                if (link_bridge_ports(n->bridge) == 0)
                        (void) link_delete(n->nl, n->bridge);
        }
        free(n->zone);
        n->zone = NULL;
        n->nl = safe_close(n->nl);
}
