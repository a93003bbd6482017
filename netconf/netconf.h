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
/* Creates the links, with the container's ends born in (or moved into) pid1's network namespace. Logs. */
int netconf_links(Netconf *n, const NetconfPlan *p, pid_t pid1);
/* Removes what netconf_links() and the unit writing made that does not die with the container. */
void netconf_done(Netconf *n);
