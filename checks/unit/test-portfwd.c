/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "portfwd.h"
#include "tap.h"

static void good(const char *spec, int protocol, int family, const char *address, unsigned host, unsigned container) {
        PortForward f;
        char a[INET6_ADDRSTRLEN] = "";
        int r = port_forward_parse(spec, &f);

        is_int(r, 0, "'%s' parses", spec);
        if (r < 0)
                return;
        if (f.family != AF_UNSPEC)
                inet_ntop(f.family, &f.host_address, a, sizeof a);
        ok(f.protocol == protocol && f.family == family && f.host_port == host && f.container_port == container &&
                   strcmp(a, address) == 0,
           "'%s' is %s %s:%u -> %u", spec, protocol == IPPROTO_UDP ? "udp" : "tcp", address, host, container);
}

static void bad(const char *spec, int want) {
        PortForward f;

        is_int(port_forward_parse(spec, &f), want, "'%s' is refused", spec);
}

int main(void) {
        PortForward f[2];
        struct in_addr v4;
        struct in6_addr v6;
        char *s;

        inet_pton(AF_INET, "10.0.0.2", &v4);
        inet_pton(AF_INET6, "fd00::2", &v6);
        /* systemd-nspawn's forms */
        good("80", IPPROTO_TCP, AF_UNSPEC, "", 80, 80);
        good("tcp:8080:80", IPPROTO_TCP, AF_UNSPEC, "", 8080, 80);
        good("udp:53", IPPROTO_UDP, AF_UNSPEC, "", 53, 53);
        good("65535:1", IPPROTO_TCP, AF_UNSPEC, "", 65535, 1);
        /* ours: an address of the host */
        good("udp:192.0.2.1:53:5353", IPPROTO_UDP, AF_INET, "192.0.2.1", 53, 5353);
        good("[2001:db8::1]:443", IPPROTO_TCP, AF_INET6, "2001:db8::1", 443, 443);
        bad("0", -EINVAL);
        bad("65536", -EINVAL);
        bad("80:", -EINVAL);
        bad(":80", -EINVAL);
        bad("80:80:80", -EINVAL);
        bad("sctp:80", -EINVAL);
        bad("TCP:80", -EINVAL);
        bad("+80", -EINVAL);
        bad("2001:db8::1:80", -EINVAL);        /* an IPv6 address needs brackets */
        bad("[2001:db8::1]80", -EINVAL);
        bad("192.0.2.300:80", -EINVAL);        /* as inet_pton takes it */
        bad("127.0.0.1:80", -EADDRNOTAVAIL);   /* loopback: DNAT never reaches the container from there */
        bad("[::1]:80", -EADDRNOTAVAIL);

        port_forward_parse("udp:53", &f[0]);
        port_forward_parse("udp:192.0.2.1:53", &f[1]);
        ok(port_forwards_overlap(&f[0], &f[1]), "every address overlaps one address, same port and protocol");
        port_forward_parse("tcp:192.0.2.1:53", &f[1]);
        ok(!port_forwards_overlap(&f[0], &f[1]), "TCP and UDP do not overlap");

        port_forward_parse("udp:0.0.0.0:53", &f[0]);
        port_forward_parse("udp:192.0.2.1:53", &f[1]);
        ok(port_forwards_overlap(&f[0], &f[1]), "0.0.0.0 overlaps an IPv4 address");
        port_forward_parse("udp:[2001:db8::1]:53", &f[1]);
        ok(!port_forwards_overlap(&f[0], &f[1]), "0.0.0.0 does not overlap an IPv6 address");
        s = portfwd_render_apply("a", f, 1, &v4, &v6);
        ok(s && strstr(s, "meta nfproto ipv4 fib daddr") && !strstr(s, "ipv6") && !strstr(s, "ip daddr 0.0.0.0"),
           "0.0.0.0: IPv4 rules only, for every address");
        free(s);

        port_forward_parse("tcp:8080:80", &f[0]);
        port_forward_parse("udp:[2001:db8::1]:53", &f[1]);
        s = portfwd_render_apply("web-1.example", f, 2, &v4, &v6);
        is_str(s,
               "add table inet nixos-nspawn\n"
               "add chain inet nixos-nspawn pre-web-1.example { type nat hook prerouting priority -100; policy accept; }\n"
               "flush chain inet nixos-nspawn pre-web-1.example\n"
               "add chain inet nixos-nspawn out-web-1.example { type nat hook output priority -100; policy accept; }\n"
               "flush chain inet nixos-nspawn out-web-1.example\n"
               "add rule inet nixos-nspawn pre-web-1.example meta nfproto ipv4 fib daddr type local tcp dport 8080 dnat ip to 10.0.0.2:80\n"
               "add rule inet nixos-nspawn out-web-1.example meta nfproto ipv4 ip daddr != 127.0.0.0/8 fib daddr type local tcp dport 8080 dnat ip to 10.0.0.2:80\n"
               "add rule inet nixos-nspawn pre-web-1.example meta nfproto ipv6 fib daddr type local tcp dport 8080 dnat ip6 to [fd00::2]:80\n"
               "add rule inet nixos-nspawn out-web-1.example meta nfproto ipv6 ip6 daddr != ::1 fib daddr type local tcp dport 8080 dnat ip6 to [fd00::2]:80\n"
               "add rule inet nixos-nspawn pre-web-1.example meta nfproto ipv6 ip6 daddr 2001:db8::1 fib daddr type local udp dport 53 dnat ip6 to [fd00::2]:53\n"
               "add rule inet nixos-nspawn out-web-1.example meta nfproto ipv6 ip6 daddr != ::1 ip6 daddr 2001:db8::1 fib daddr type local udp dport 53 dnat ip6 to [fd00::2]:53\n",
               "rules for both families; an IPv6 host address only in IPv6 rules; never loopback from the host");
        free(s);
        s = portfwd_render_apply("a", f, 2, NULL, NULL);
        ok(s && !strstr(s, "add rule"), "no address yet: the chains, no rule");
        free(s);
        s = portfwd_render_remove("a");
        is_str(s,
               "add table inet nixos-nspawn\n"
               "add chain inet nixos-nspawn pre-a { type nat hook prerouting priority -100; policy accept; }\n"
               "delete chain inet nixos-nspawn pre-a\n"
               "add chain inet nixos-nspawn out-a { type nat hook output priority -100; policy accept; }\n"
               "delete chain inet nixos-nspawn out-a\n",
               "removal adds first, so it applies whether or not the chains are there");
        free(s);
        return tap_done();
}
