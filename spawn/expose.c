/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "escape.h"
#include "expose.h"
#include "fileio.h"
#include "log.h"
#include "strutil.h"

/* ---- addresses ---- */

typedef struct Addr {
        int family;
        unsigned char bytes[16];
        unsigned prefixlen;
} Addr;

#define ADDRS_MAX 32

typedef struct AddrList {
        Addr a[ADDRS_MAX];
        size_t n;
} AddrList;

static int netlink_socket(int protocol, unsigned groups, int *ret) {
        struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = groups };
        int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, protocol);

        if (fd < 0)
                return -errno;
        if (bind(fd, (struct sockaddr *) &sa, sizeof sa) < 0) {
                int r = -errno;
                safe_close(fd);
                return r;
        }
        *ret = fd;
        return 0;
}

/* Two rtnetlink sockets bound in pid's network namespace: a socket stays in the namespace it was made in. */
static int sockets_in_netns(pid_t pid, int *ret_events, int *ret_dump) {
        _cleanup_close_ int own = -EBADF, target = -EBADF;
        char path[64];
        int r, k;

        snprintf(path, sizeof path, "/proc/%d/ns/net", (int) pid);
        own = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
        target = open(path, O_RDONLY | O_CLOEXEC);
        if (own < 0 || target < 0)
                return -errno;
        if (setns(target, CLONE_NEWNET) < 0)
                return -errno;
        r = netlink_socket(NETLINK_ROUTE, RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR, ret_events);
        if (r >= 0) {
                r = netlink_socket(NETLINK_ROUTE, 0, ret_dump);
                if (r < 0)
                        *ret_events = safe_close(*ret_events);
        }
        /* back in our own: everything after this (the rules, the sweep) is the host's */
        if (setns(own, CLONE_NEWNET) < 0) {
                k = -errno;
                log_error_errno(k, "Failed to return to the host's network namespace: %m");
                abort(); /* acting on the host from the container's namespace would be worse than dying */
        }
        return r;
}

/* The kernel's usable addresses (RTM_GETADDR dump) on ifindex (0: every link). */
static int dump_addresses(int fd, int ifindex, AddrList *ret) {
        struct {
                struct nlmsghdr h;
                struct ifaddrmsg ifa;
        } req = {
                .h = { .nlmsg_len = sizeof req, .nlmsg_type = RTM_GETADDR, .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
                       .nlmsg_seq = 1 },
                .ifa = { .ifa_family = AF_UNSPEC },
        };
        struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
        uint8_t buf[16384] __attribute__((aligned(NLMSG_ALIGNTO)));

        ret->n = 0;
        if (sendto(fd, &req, sizeof req, 0, (struct sockaddr *) &kernel, sizeof kernel) < 0)
                return -errno;
        for (;;) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                ssize_t n;

                /* the kernel answers a dump at once; the deadline is for the case it would not */
                if (poll(&p, 1, 1000) <= 0)
                        return -ETIMEDOUT;
                n = recv(fd, buf, sizeof buf, 0);
                if (n < 0) {
                        if (errno == EINTR || errno == EAGAIN)
                                continue;
                        return -errno;
                }
                for (struct nlmsghdr *h = (struct nlmsghdr *) buf; NLMSG_OK(h, (size_t) n); h = NLMSG_NEXT(h, n)) {
                        const struct ifaddrmsg *ifa = NLMSG_DATA(h);
                        const void *local = NULL, *address = NULL;
                        uint32_t flags;
                        size_t alen;

                        if (h->nlmsg_type == NLMSG_DONE)
                                return 0;
                        if (h->nlmsg_type == NLMSG_ERROR)
                                return -EIO;
                        if (h->nlmsg_type != RTM_NEWADDR || h->nlmsg_len < NLMSG_LENGTH(sizeof *ifa))
                                continue;
                        flags = ifa->ifa_flags;
                        alen = ifa->ifa_family == AF_INET ? 4 : ifa->ifa_family == AF_INET6 ? 16 : 0;
                        int len = (int) IFA_PAYLOAD(h);
                        for (struct rtattr *a = IFA_RTA(ifa); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
                                if (a->rta_type == IFA_LOCAL && RTA_PAYLOAD(a) == alen)
                                        local = RTA_DATA(a);
                                else if (a->rta_type == IFA_ADDRESS && RTA_PAYLOAD(a) == alen)
                                        address = RTA_DATA(a);
                                else if (a->rta_type == IFA_FLAGS && RTA_PAYLOAD(a) == sizeof(uint32_t))
                                        memcpy(&flags, RTA_DATA(a), sizeof flags);
                        }
                        if (!alen || (ifindex > 0 && (int) ifa->ifa_index != ifindex) ||
                            ifa->ifa_scope != RT_SCOPE_UNIVERSE || (!local && !address) ||
                            (flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED | IFA_F_DEPRECATED)) || ret->n >= ADDRS_MAX)
                                continue;
                        ret->a[ret->n].family = ifa->ifa_family;
                        ret->a[ret->n].prefixlen = ifa->ifa_prefixlen;
                        memcpy(ret->a[ret->n].bytes, local ?: address, alen);
                        ret->n++;
                }
        }
}

static bool in_prefix(const Addr *a, const Addr *net) {
        unsigned bits = net->prefixlen, whole = bits / 8;

        if (a->family != net->family || bits > (a->family == AF_INET ? 32U : 128U))
                return false;
        if (memcmp(a->bytes, net->bytes, whole) != 0)
                return false;
        return bits % 8 == 0 || ((a->bytes[whole] ^ net->bytes[whole]) & (0xFF << (8 - bits % 8))) == 0;
}

/* Root inside chooses the container's addresses: one is only forwarded to when it lies in a prefix of the host's end
 * and is not the host's own there. Otherwise the container could point the host's DNAT at any address the host can
 * reach (another machine of its network, a host service), with connections that look as if the host made them. */
static const Addr *pick(const AddrList *host, const AddrList *container, int family, const void *current) {
        const Addr *first = NULL;
        size_t alen = family == AF_INET ? 4 : 16;

        for (size_t i = 0; i < container->n; i++) {
                const Addr *c = &container->a[i];
                bool inside = false;

                if (c->family != family)
                        continue;
                for (size_t j = 0; j < host->n; j++) {
                        if (memcmp(c->bytes, host->a[j].bytes, alen) == 0 && c->family == host->a[j].family) {
                                inside = false;
                                break;
                        }
                        inside = inside || in_prefix(c, &host->a[j]);
                }
                if (!inside)
                        continue;
                if (current && memcmp(c->bytes, current, alen) == 0)
                        return c; /* the one we forward to still is there: stay with it */
                if (!first)
                        first = c;
        }
        return first;
}

/* ---- rules ---- */

static void warn_forwarding_off(Expose *e, int family) {
        const char *path = family == AF_INET ? "/proc/sys/net/ipv4/ip_forward" : "/proc/sys/net/ipv6/conf/all/forwarding";
        _cleanup_free_ char *v = NULL;
        bool *warned = &e->warned_forwarding[family == AF_INET6];

        if (*warned || read_full_file(path, &v, NULL) < 0 || v[0] != '0')
                return;
        *warned = true;
        log_warning("%s is 0: the host does not forward, so %s connections to the forwarded ports of %s go nowhere "
                    "(networkd's IPMasquerade= on the host end, our default, turns it on).",
                    path, family == AF_INET ? "IPv4" : "IPv6", e->machine);
}

static char *list_command(const char *machine) {
        return strprintf("list chain inet " PORTFWD_TABLE " pre-%s\nlist chain inet " PORTFWD_TABLE " out-%s\n",
                         machine, machine);
}

static int apply(Expose *e) {
        _cleanup_free_ char *script = NULL, *error = NULL, *list = NULL;
        int r;

        script = portfwd_render_apply(e->machine, e->ports, e->n_ports, e->have4 ? &e->v4 : NULL,
                                      e->have6 ? &e->v6 : NULL);
        list = list_command(e->machine);
        if (!script || !list)
                return log_oom();
        r = nft_run(e->nft, script, &error);
        if (r < 0)
                return log_error_errno(r, "Failed to add the port forwards of %s to nftables: %s", e->machine,
                                       error ?: "");
        free(e->listing);
        e->listing = NULL;
        (void) nft_list(e->nft, list, &e->listing);
        if (e->have4)
                warn_forwarding_off(e, AF_INET);
        if (e->have6)
                warn_forwarding_off(e, AF_INET6);
        return 0;
}

static void follow_addresses(Expose *e) {
        _cleanup_close_ int host_fd = -EBADF;
        AddrList host, container;
        const Addr *a4, *a6;
        char s4[INET6_ADDRSTRLEN] = "none", s6[INET6_ADDRSTRLEN] = "none";
        int r;

        r = netlink_socket(NETLINK_ROUTE, 0, &host_fd);
        if (r >= 0)
                r = dump_addresses(host_fd, e->host_ifindex, &host);
        if (r >= 0)
                r = dump_addresses(e->container_dump, 0, &container);
        if (r < 0) {
                log_warning_errno(r, "Failed to read the addresses of %s, keeping its forwards as they are: %m",
                                  e->machine);
                return;
        }
        a4 = pick(&host, &container, AF_INET, e->have4 ? &e->v4 : NULL);
        a6 = pick(&host, &container, AF_INET6, e->have6 ? &e->v6 : NULL);
        if (!!a4 == e->have4 && !!a6 == e->have6 && (!a4 || memcmp(a4->bytes, &e->v4, 4) == 0) &&
            (!a6 || memcmp(a6->bytes, &e->v6, 16) == 0))
                return; /* nothing changed for us */
        e->have4 = a4;
        e->have6 = a6;
        if (a4) {
                memcpy(&e->v4, a4->bytes, 4);
                inet_ntop(AF_INET, &e->v4, s4, sizeof s4);
        }
        if (a6) {
                memcpy(&e->v6, a6->bytes, 16);
                inet_ntop(AF_INET6, &e->v6, s6, sizeof s6);
        }
        if (apply(e) >= 0)
                log_info("Forwarding the ports of %s to %s and %s.", e->machine, s4, s6);
}

/* Our chains as we left them? If not (a reload flushed the ruleset, someone deleted them), add them again. */
static void check_rules(Expose *e) {
        _cleanup_free_ char *list = list_command(e->machine), *now = NULL;
        int r;

        if (!list) {
                log_oom();
                return;
        }
        r = nft_list(e->nft, list, &now);
        if (r >= 0 && e->listing && streq(now, e->listing))
                return;
        log_info("The port forwards of %s changed in nftables (a firewall reload?): adding them again.", e->machine);
        (void) apply(e);
}

static bool drain(int fd) {
        uint8_t buf[8192];
        bool any = false;

        for (;;) {
                ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);

                if (n > 0 || (n < 0 && errno == ENOBUFS)) { /* ENOBUFS: events were lost, so look anyway */
                        any = true;
                        continue;
                }
                if (n < 0 && errno == EINTR)
                        continue;
                return any;
        }
}

/* ---- life ---- */

/* The network namespace our rules go to, as "DEV:INODE" of its nsfs file. A record names it: rules live in the
 * ruleset of one namespace, and a launcher that sweeps from another one (a test's, a nested host's) would remove
 * nothing there and lose the record of what is left. */
static int netns_id(char *buf, size_t size) {
        struct stat st;

        if (stat("/proc/self/ns/net", &st) < 0)
                return -errno;
        snprintf(buf, size, "%llu:%llu\n", (unsigned long long) st.st_dev, (unsigned long long) st.st_ino);
        return 0;
}

static int record(const char *machine) {
        _cleanup_close_ int dir = -EBADF;
        char id[64];
        int r;

        r = netns_id(id, sizeof id);
        if (r < 0)
                return r;
        r = mkdir_p(PORTS_RECORD_DIR, 0700);
        if (r < 0)
                return r;
        dir = open(PORTS_RECORD_DIR, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dir < 0)
                return -errno;
        return write_file_at(dir, machine, id, strlen(id), 0600, 0);
}

/* The record names the namespace we are in (or is of an older launcher, without one). */
static bool recorded_here(const char *machine) {
        _cleanup_free_ char *path = strprintf(PORTS_RECORD_DIR "/%s", machine), *text = NULL;
        char id[64];

        if (!path || read_full_file(path, &text, NULL) < 0 || netns_id(id, sizeof id) < 0)
                return false;
        return isempty(text) || streq(text, id);
}

static void unrecord(const char *machine) {
        _cleanup_free_ char *path = strprintf(PORTS_RECORD_DIR "/%s", machine);

        if (path)
                (void) unlink(path);
}

static int remove_chains(Nft *nft, const char *machine) {
        _cleanup_free_ char *script = portfwd_render_remove(machine), *error = NULL;
        int r;

        if (!script)
                return log_oom();
        r = nft_run(nft, script, &error);
        if (r < 0)
                return log_warning_errno(r, "Failed to remove the port forwards of %s from nftables: %s", machine,
                                         error ?: "");
        return 0;
}

int expose_prepare(Expose *e, const char *machine, const PortForward *ports, size_t n_ports) {
        int r;

        if (n_ports == 0)
                return 0;
        e->machine = machine;
        e->ports = ports;
        e->n_ports = n_ports;
        r = nft_open(&e->nft);
        if (r == -EOPNOTSUPP)
                return log_error_errno(r, "--port needs libnftables.so.1 (Debian: libnftables1), which cannot be "
                                       "loaded.");
        if (r < 0)
                return log_error_errno(r, "Failed to set up libnftables: %m");
        /* recorded before any rule exists: killed from here on, the next start removes them (sweep.c) */
        r = record(machine);
        if (r < 0)
                return log_error_errno(r, "Failed to record the port forwards of %s: %m", machine);
        e->recorded = true;
        /* a killed launcher's chains of this name point at its container's old address */
        return remove_chains(e->nft, machine);
}

int expose_start(Expose *e, pid_t pid1, const char *host_ifname) {
        int r;

        if (!e->nft)
                return 0;
        e->host_ifindex = (int) if_nametoindex(host_ifname);
        if (e->host_ifindex <= 0)
                return log_error_errno(-ENODEV, "Failed to find '%s' for the port forwards: %m", host_ifname);
        r = sockets_in_netns(pid1, &e->container_events, &e->container_dump);
        if (r < 0)
                return log_error_errno(r, "Failed to watch the addresses of %s: %m", e->machine);
        r = netlink_socket(NETLINK_ROUTE, RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR, &e->host_events);
        if (r >= 0)
                r = netlink_socket(NETLINK_NETFILTER, 0, &e->nft_events);
        if (r >= 0 && setsockopt(e->nft_events, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &(int) { NFNLGRP_NFTABLES },
                                 sizeof(int)) < 0)
                r = -errno;
        if (r < 0)
                return log_error_errno(r, "Failed to watch the host's addresses and nftables: %m");
        r = apply(e); /* the chains, empty until the container has an address */
        if (r < 0)
                return r;
        follow_addresses(e);
        return 0;
}

void expose_pollfds(const Expose *e, struct pollfd *fds) {
        fds[0] = (struct pollfd) { .fd = e->container_events >= 0 ? e->container_events : -1, .events = POLLIN };
        fds[1] = (struct pollfd) { .fd = e->host_events >= 0 ? e->host_events : -1, .events = POLLIN };
        fds[2] = (struct pollfd) { .fd = e->nft_events >= 0 ? e->nft_events : -1, .events = POLLIN };
}

void expose_process(Expose *e) {
        bool addresses = false, rules = false;

        if (!e->nft)
                return;
        if (e->container_events >= 0)
                addresses |= drain(e->container_events);
        if (e->host_events >= 0)
                addresses |= drain(e->host_events);
        if (e->nft_events >= 0)
                rules = drain(e->nft_events);
        if (addresses)
                follow_addresses(e);
        if (rules)
                check_rules(e);
}

void expose_done(Expose *e) {
        e->container_events = safe_close(e->container_events);
        e->container_dump = safe_close(e->container_dump);
        e->host_events = safe_close(e->host_events);
        e->nft_events = safe_close(e->nft_events);
        if (e->nft && e->recorded && remove_chains(e->nft, e->machine) >= 0)
                unrecord(e->machine);
        e->recorded = false;
        e->nft = nft_close(e->nft);
        free(e->listing);
        e->listing = NULL;
}

void expose_remove_stale(const char *machine) {
        Nft *nft = NULL;

        if (!recorded_here(machine))
                return; /* another namespace's rules: a launcher there removes them */
        if (nft_open(&nft) < 0)
                return; /* the record stays for a start that can */
        if (remove_chains(nft, machine) >= 0) {
                unrecord(machine);
                log_info("Removed the port forwards that a killed launcher of '%s' left.", machine);
        }
        nft_close(nft);
}
