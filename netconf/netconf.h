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
        const char *zone;          /* vz-ZONE bridge with vb-NAME <-> host0 */
        char *const *macvlan;      /* host interfaces: mv-IF inside */
        char *const *interfaces;   /* host interfaces moved in */
        const char *host_config;   /* INI fragments merged over the defaults */
        const char *container_config;
} NetconfPlan;

/* …and what was done for it, to be undone at exit. */
typedef struct Netconf {
        char *machine;
        /* rendered before anything is made, so a bad override fails first */
        char *host_unit_name, *host_unit;           /* 10-ve-NAME.network or 10-vb-NAME.network */
        char *zone_unit_name, *zone_unit;           /* 10-vz-ZONE.network */
        char *container_unit_names[9], *container_units[9]; /* 10-host0.network, 10-mv-IF.network… */
        size_t n_container_units;

        int nl;
        char host_link[IFNAMSIZ]; /* ve-NAME or vb-NAME */
        char bridge[IFNAMSIZ];
        char *zone;
        int ifindexes[16];        /* host-side links, for machined */
        size_t n_ifindexes;
        char *host_units[2];      /* what we wrote under /run/systemd/network */
        size_t n_host_units;
} Netconf;

#define NETCONF_NULL { .nl = -EBADF }

bool netconf_plan_wants_links(const NetconfPlan *p);
/* Before anything is made: names the links, loads and merges the overrides, renders every unit. Logs what is
 * wrong with an override (file, line, value). Removes units a killed launcher left for links that are gone. */
typedef bool (*NetconfIsRunningFn)(const char *machine);
int netconf_prepare(Netconf *n, const NetconfPlan *p, NetconfIsRunningFn machine_is_running);
/* Our host units for links that are gone, of machines no launcher runs: what killed launchers left. */
void netconf_remove_stale_units(NetconfIsRunningFn machine_is_running);
/* Zones whose bridge has no port left (their last member was killed): bridge, unit and lock file, each under the
 * zone's lock. */
void netconf_remove_stale_zones(void);
/* The container's units into the directories given (its /run/systemd/network and resolved.conf.d), owned by its
 * root. (The host's are written, and networkd asked to reload, by netconf_links() before it makes the links.) */
int netconf_write_container_units(Netconf *n, int network_dir, int resolved_dir, uid_t container_root);
/* Writes the host's units, then creates the links, with the container's ends born in (or moved into) pid1's
 * network namespace. Logs. */
int netconf_links(Netconf *n, const NetconfPlan *p, pid_t pid1);
/* Removes what netconf_links() and the unit writing made that does not die with the container. */
void netconf_done(Netconf *n);
