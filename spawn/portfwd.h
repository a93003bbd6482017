/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* --port=[PROTOCOL:][ADDRESS:]HOSTPORT[:CONTAINERPORT]: what is forwarded (pure: parsing and the nftables script
 * that forwards it; expose.c applies it and follows the container's addresses). */

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct PortForward {
        int protocol;            /* IPPROTO_TCP or IPPROTO_UDP */
        int family;              /* AF_UNSPEC: every local address; AF_INET/AF_INET6: only host_address */
        struct in6_addr host_address; /* an IPv4 address in the first 4 bytes */
        uint16_t host_port;
        uint16_t container_port;
        char spec[72];           /* as given (only what parsed: digits, addresses, "tcp:"/"udp:") */
} PortForward;

/* systemd-nspawn's syntax, [PROTOCOL:]HOSTPORT[:CONTAINERPORT] (PROTOCOL tcp, the default, or udp), and ours too:
 * an address of the host before the host port (dotted IPv4, or IPv6 in brackets) forwards only connections to it;
 * 0.0.0.0 or [::], those to every address of that family.
 * -EINVAL when it is none of these. */
int port_forward_parse(const char *spec, PortForward *ret);
/* Every address of its family (or both): no address, 0.0.0.0 (every IPv4 address) or [::] (every IPv6 one). */
bool port_forward_any(const PortForward *f);
/* Two forwards that would take the same packets (same protocol and host port, overlapping addresses). */
bool port_forwards_overlap(const PortForward *a, const PortForward *b);

#define PORTFWD_TABLE "nixos-nspawn"

/* The nftables commands (one transaction) that replace the container's chains: DNAT of each forward to the
 * container's address of its family (v4/v6 NULL: none known yet, no rule of that family). Packets to the host's own
 * loopback addresses are never rewritten: the kernel drops 127.0.0.0/8 sources on the way to another interface
 * (route_localnet), so those stay the proxy's (docs/networking.md). */
char *portfwd_render_apply(const char *machine, const PortForward *f, size_t n, const struct in_addr *v4,
                           const struct in6_addr *v6);
/* Removes the container's chains; a no-op when they are not there (adding first makes the delete always apply). */
char *portfwd_render_remove(const char *machine);
