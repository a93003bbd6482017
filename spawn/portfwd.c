/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "portfwd.h"
#include "strutil.h"

static int parse_port(const char *s, size_t len, uint16_t *ret) {
        unsigned v = 0;

        if (len == 0 || len > 5)
                return -EINVAL;
        for (size_t i = 0; i < len; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return -EINVAL;
                v = v * 10 + (unsigned) (s[i] - '0');
        }
        if (v == 0 || v > 65535)
                return -EINVAL;
        *ret = (uint16_t) v;
        return 0;
}

/* ADDRESS: the part before the host port, dotted IPv4 (inet_pton's strict form) or [IPv6]. */
static int parse_address(const char *s, size_t len, PortForward *f) {
        char buf[INET6_ADDRSTRLEN + 2];

        if (len < 2 || len >= sizeof buf)
                return -EINVAL;
        if (s[0] == '[') {
                if (s[len - 1] != ']')
                        return -EINVAL;
                memcpy(buf, s + 1, len - 2);
                buf[len - 2] = 0;
                if (inet_pton(AF_INET6, buf, &f->host_address) != 1)
                        return -EINVAL;
                f->family = AF_INET6;
                return 0;
        }
        memcpy(buf, s, len);
        buf[len] = 0;
        if (inet_pton(AF_INET, buf, &f->host_address) != 1)
                return -EINVAL;
        f->family = AF_INET;
        return 0;
}

int port_forward_parse(const char *spec, PortForward *ret) {
        PortForward f = { .protocol = IPPROTO_TCP, .family = AF_UNSPEC };
        const char *p = spec, *rest, *colon;
        int r;

        if (strlen(spec) >= sizeof f.spec)
                return -EINVAL;
        strcpy(f.spec, spec);

        if ((rest = startswith(p, "tcp:")))
                p = rest;
        else if ((rest = startswith(p, "udp:"))) {
                f.protocol = IPPROTO_UDP;
                p = rest;
        }
        /* an address: bracketed IPv6, or a dotted IPv4 (a port has no dot) */
        if (*p == '[') {
                const char *end = strchr(p, ']');

                if (!end || end[1] != ':')
                        return -EINVAL;
                r = parse_address(p, (size_t) (end - p) + 1, &f);
                if (r < 0)
                        return r;
                p = end + 2;
        } else {
                colon = strchr(p, ':');
                if (colon && memchr(p, '.', (size_t) (colon - p))) {
                        r = parse_address(p, (size_t) (colon - p), &f);
                        if (r < 0)
                                return r;
                        p = colon + 1;
                }
        }
        colon = strchr(p, ':');
        r = parse_port(p, colon ? (size_t) (colon - p) : strlen(p), &f.host_port);
        if (r < 0)
                return r;
        f.container_port = f.host_port;
        if (colon) {
                r = parse_port(colon + 1, strlen(colon + 1), &f.container_port);
                if (r < 0)
                        return r;
        }
        /* never rewritten (portfwd.h): refused rather than accepted and never forwarded */
        if ((f.family == AF_INET && f.host_address.s6_addr[0] == 127) ||
            (f.family == AF_INET6 && IN6_IS_ADDR_LOOPBACK(&f.host_address)))
                return -EADDRNOTAVAIL;
        *ret = f;
        return 0;
}

bool port_forward_any(const PortForward *f) {
        static const struct in6_addr zero = {};

        return f->family == AF_UNSPEC || memcmp(&f->host_address, &zero, f->family == AF_INET ? 4 : 16) == 0;
}

bool port_forwards_overlap(const PortForward *a, const PortForward *b) {
        if (a->protocol != b->protocol || a->host_port != b->host_port)
                return false;
        if (a->family == AF_UNSPEC || b->family == AF_UNSPEC)
                return true;
        if (a->family != b->family)
                return false;
        return port_forward_any(a) || port_forward_any(b) ||
               memcmp(&a->host_address, &b->host_address, a->family == AF_INET ? 4 : 16) == 0;
}

/* A growing string; on allocation failure it stays NULL and every later append is a no-op. */
typedef struct Buf {
        char *s;
        size_t len;
        bool failed;
} Buf;

_printf_(2, 3) static void buf_printf(Buf *b, const char *fmt, ...) {
        va_list ap;
        char *add = NULL;
        int n;

        if (b->failed)
                return;
        va_start(ap, fmt);
        n = vasprintf(&add, fmt, ap);
        va_end(ap);
        if (n < 0) {
                b->failed = true;
                return;
        }
        char *s = realloc(b->s, b->len + (size_t) n + 1);
        if (!s) {
                free(add);
                b->failed = true;
                return;
        }
        memcpy(s + b->len, add, (size_t) n + 1);
        b->s = s;
        b->len += (size_t) n;
        free(add);
}

static char *buf_take(Buf *b) {
        if (b->failed) {
                free(b->s);
                return NULL;
        }
        return b->s;
}

/* Chain names: "pre-NAME" and "out-NAME". A machine name is letters, digits, '-' and '.', so after a letter it is
 * one bare nftables word (nft 1.0.6 takes no quoted chain names). */
static void chains(Buf *b, const char *machine, const char *verb) {
        static const char *const hooks[][2] = { { "pre", "prerouting" }, { "out", "output" } };

        for (size_t i = 0; i < 2; i++) {
                /* priority -100 is dstnat, written as a number: nft 1.0.6 refuses the name in the output hook */
                buf_printf(b, "add chain inet " PORTFWD_TABLE " %s-%s { type nat hook %s priority -100; policy accept; }\n",
                           hooks[i][0], machine, hooks[i][1]);
                buf_printf(b, "%s chain inet " PORTFWD_TABLE " %s-%s\n", verb, hooks[i][0], machine);
        }
}

static void rule(Buf *b, const char *machine, const PortForward *f, int family, const void *to) {
        const char *proto = f->protocol == IPPROTO_UDP ? "udp" : "tcp", *ip = family == AF_INET ? "ip" : "ip6";
        char dst[INET6_ADDRSTRLEN], only[INET6_ADDRSTRLEN + 16] = "";

        if (f->family != AF_UNSPEC && f->family != family)
                return;
        if (!port_forward_any(f)) {
                char a[INET6_ADDRSTRLEN];

                inet_ntop(family, &f->host_address, a, sizeof a);
                snprintf(only, sizeof only, "%s daddr %s ", ip, a);
        }
        inet_ntop(family, to, dst, sizeof dst);
        /* from elsewhere: anything addressed to one of the host's own addresses */
        buf_printf(b, "add rule inet " PORTFWD_TABLE " pre-%s meta nfproto %s %sfib daddr type local %s dport %u "
                   "dnat %s to %s%s%s:%u\n", machine, family == AF_INET ? "ipv4" : "ipv6", only, proto,
                   f->host_port, ip, family == AF_INET6 ? "[" : "", dst, family == AF_INET6 ? "]" : "",
                   f->container_port);
        /* from the host itself, to its own addresses except loopback (see portfwd.h) */
        buf_printf(b, "add rule inet " PORTFWD_TABLE " out-%s meta nfproto %s %s daddr != %s %sfib daddr type local "
                   "%s dport %u dnat %s to %s%s%s:%u\n", machine, family == AF_INET ? "ipv4" : "ipv6", ip,
                   family == AF_INET ? "127.0.0.0/8" : "::1", only, proto, f->host_port, ip,
                   family == AF_INET6 ? "[" : "", dst, family == AF_INET6 ? "]" : "", f->container_port);
}

char *portfwd_render_apply(const char *machine, const PortForward *f, size_t n, const struct in_addr *v4,
                           const struct in6_addr *v6) {
        Buf b = {};

        buf_printf(&b, "add table inet " PORTFWD_TABLE "\n");
        chains(&b, machine, "flush");
        for (size_t i = 0; i < n; i++) {
                if (v4)
                        rule(&b, machine, &f[i], AF_INET, v4);
                if (v6)
                        rule(&b, machine, &f[i], AF_INET6, v6);
        }
        return buf_take(&b);
}

char *portfwd_render_remove(const char *machine) {
        Buf b = {};

        buf_printf(&b, "add table inet " PORTFWD_TABLE "\n");
        chains(&b, machine, "delete");
        return buf_take(&b);
}
