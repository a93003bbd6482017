/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* --port: DNAT in the host's nftables (our own table, portfwd.h) to the address the container has now, followed for
 * the container's life:
 *  - its addresses are watched through an rtnetlink socket opened in its network namespace (address events), so a
 *    DHCP lease or a SLAAC address that arrives or changes is forwarded to at once, without polling;
 *  - the host's ruleset is watched through nftables' own event group: whoever removes our chains (a firewall reload
 *    that flushes the ruleset, as NixOS's networking.nftables does) sees them back as soon as its transaction ends.
 * A record under PORTS_RECORD_DIR names a container whose chains may exist, so a killed launcher's are removed by the
 * next start's sweep (sweep.c). */

#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <sys/types.h>

#include "nft.h"
#include "portfwd.h"

#define PORTS_RECORD_DIR "/run/nixos-nspawn/ports"
#define EXPOSE_POLLFDS 3

typedef struct Expose {
        const char *machine;
        const PortForward *ports;
        size_t n_ports;
        Nft *nft;
        int host_ifindex;     /* where the host's prefixes toward the container are (ve-NAME, or the bridge) */
        int container_events; /* rtnetlink in the container's namespace: address events… */
        int container_dump;   /* …and the dumps that follow them */
        int host_events;      /* the host's address events (its end may be configured after the container's) */
        int nft_events;       /* NFNLGRP_NFTABLES */
        bool have4, have6;
        struct in_addr v4;
        struct in6_addr v6;
        char *listing;        /* our chains as nftables listed them after our last change */
        bool recorded;
        bool warned_forwarding[2];
} Expose;

#define EXPOSE_NULL                                                                                                    \
        { .container_events = -EBADF, .container_dump = -EBADF, .host_events = -EBADF, .nft_events = -EBADF }

/* Before anything is made: loads libnftables, removes what a killed launcher of this name left, records. Logs. */
int expose_prepare(Expose *e, const char *machine, const PortForward *ports, size_t n_ports);
/* Once PID 1 and the links exist: the watches, and the first rules (none until the container has an address). */
int expose_start(Expose *e, pid_t pid1, const char *host_ifname);
/* The fds to poll (EXPOSE_POLLFDS of them; -1 where there is none) and what to do when one is readable. */
void expose_pollfds(const Expose *e, struct pollfd *fds);
void expose_process(Expose *e);
/* Removes the chains and the record. */
void expose_done(Expose *e);
/* The sweep: chains a killed launcher of machine left (under that machine's lock). */
void expose_remove_stale(const char *machine);
