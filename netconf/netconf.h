/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* A container's network: what the user asked for… */
typedef struct NetconfPlan {
        const char *machine;
        bool veth;                 /* ve-NAME <-> host0 */
        const char *zone;          /* vz-ZONE bridge (ours, made on demand) with vb-NAME <-> host0 */
        const char *bridge;        /* an existing host bridge with vb-NAME <-> host0 (--network-bridge) */
        char *const *macvlan;      /* host interfaces: mv-IF inside */
        char *const *interfaces;   /* host interfaces moved in */
        const char *host_config;   /* INI fragments merged over the defaults */
        const char *container_config;
        bool netns_kept;           /* the container's network namespace outlives it (exported, or joined) */
} NetconfPlan;

#define NETCONF_MACVLAN_MAX 8

/* A link's name, decided once by netconf_prepare(): the kernel name, and the full one as altname when that was
 * too long (link.h). */
typedef struct NetconfLink {
        char name[IFNAMSIZ];
        char *altname;
} NetconfLink;

/* …the names and units for it, and what was done, to be undone at exit. */
typedef struct Netconf {
        NetconfPlan plan;         /* kept from netconf_prepare() (its strings are the caller's) */
        NetconfLink host;         /* ve-NAME, or vb-NAME with a zone or a bridge; empty without */
        NetconfLink bridge;       /* vz-ZONE, or the --network-bridge one; empty without */
        NetconfLink macvlan[NETCONF_MACVLAN_MAX]; /* mv-IF, one per plan.macvlan */
        size_t n_macvlan;

        /* rendered before anything is made, so a bad override fails first */
        char *host_unit_name, *host_unit;           /* 10-ve-NAME.network or 10-vb-NAME.network */
        char *shared_unit;                          /* 10-ve.network: a plain veth without a host override */
        char *host_shared_altname;                  /* nixos-nspawn-ve-NAME, of a plain veth's host end */
        char *zone_unit_name, *zone_unit;           /* 10-vz-ZONE.network */
        char *container_unit_names[NETCONF_MACVLAN_MAX + 1], *container_units[NETCONF_MACVLAN_MAX + 1];
        size_t n_container_units;                   /* 10-host0.network, 10-mv-IF.network… */

        int nl;
        bool host_made;           /* the host link is ours: removed at exit */
        bool zone_joined;         /* we may be the zone's last member: its bridge goes with us then */
        bool ran;                 /* the container was started: a plain veth goes with its namespace (netconf_done) */
        int ifindexes[16];        /* host-side links, for machined */
        size_t n_ifindexes;
        char *host_unit_path;     /* what we wrote under /run/systemd/network */
} Netconf;

#define NETCONF_NULL { .nl = -EBADF }

bool netconf_plan_wants_links(const NetconfPlan *p);
/* Before anything is made: keeps the plan, names the links, loads and merges the overrides, renders every unit.
 * Logs what is wrong (a bridge that is not there, an override's file, line and value). */
typedef bool (*NetconfIsRunningFn)(const char *machine);
int netconf_prepare(Netconf *n, const NetconfPlan *p);
/* Our host units for links that are gone, of machines no launcher runs: what killed launchers left. */
void netconf_remove_stale_units(NetconfIsRunningFn machine_is_running);
/* Zones whose bridge has no port left (their last member was killed): bridge, unit and lock file, each under the
 * zone's lock. */
void netconf_remove_stale_zones(void);
/* The container's units into the directories given (its /run/systemd/network and resolved.conf.d), owned by its
 * root. (The host's are written, and networkd asked to reload, by netconf_links() before it makes the links.) */
int netconf_write_container_units(Netconf *n, int network_dir, int resolved_dir, uid_t container_root);
/* Writes the host's units, then creates the links netconf_prepare() named, with the container's ends born in (or
 * moved into) pid1's network namespace. Logs. */
int netconf_links(Netconf *n, pid_t pid1);
/* Removes what netconf_links() and the unit writing made that does not die with the container. */
void netconf_done(Netconf *n);
