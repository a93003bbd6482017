/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "macro.h"
#include "netlink.h"

int netlink_open(int *ret_fd) {
        struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
        int fd, one = 1;

        fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        if (fd < 0)
                return -errno;
        /* extended ACKs carry the kernel's reason, but the errno is what we return */
        (void) setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
        if (bind(fd, (struct sockaddr *) &sa, sizeof sa) < 0) {
                int r = -errno;
                safe_close(fd);
                return r;
        }
        *ret_fd = fd;
        return 0;
}

void netlink_link_message(NetlinkMessage *m, uint16_t type, uint16_t nlm_flags, int ifindex, unsigned ifi_flags,
                          unsigned ifi_change) {
        struct ifinfomsg ifi = {
                .ifi_family = AF_UNSPEC,
                .ifi_index = ifindex,
                .ifi_flags = ifi_flags,
                .ifi_change = ifi_change,
        };

        memset(m, 0, sizeof *m);
        m->hdr.len = NLMSG_LENGTH(sizeof ifi);
        m->hdr.type = type;
        m->hdr.flags = NLM_F_REQUEST | NLM_F_ACK | nlm_flags;
        memcpy(m->buf + NLMSG_HDRLEN, &ifi, sizeof ifi);
}

void netlink_put(NetlinkMessage *m, uint16_t type, const void *data, size_t len) {
        size_t off = NLMSG_ALIGN(m->hdr.len);
        struct rtattr rta = { .rta_len = (unsigned short) RTA_LENGTH(len), .rta_type = type };

        if (m->error < 0)
                return;
        if (off + RTA_SPACE(len) > sizeof m->buf) {
                m->error = -EMSGSIZE;
                return;
        }
        {
                struct rtattr *dst = (struct rtattr *) (void *) (m->buf + off);

                uint8_t *payload = RTA_DATA(dst);
                const uint8_t *from = data;

                *dst = rta;
                /* a loop, not memcpy(): GCC 12 with -fsanitize misjudges the union's size and refuses memcpy */
                for (size_t i = 0; i < len; i++)
                        payload[i] = from[i];
        }
        m->hdr.len = (uint32_t) (off + RTA_SPACE(len));
}

void netlink_put_raw(NetlinkMessage *m, const void *data, size_t len) {
        size_t off = NLMSG_ALIGN(m->hdr.len);

        if (m->error < 0)
                return;
        if (off + NLMSG_ALIGN(len) > sizeof m->buf) {
                m->error = -EMSGSIZE;
                return;
        }
        memcpy(m->buf + off, data, len);
        m->hdr.len = (uint32_t) (off + NLMSG_ALIGN(len));
}

void netlink_put_string(NetlinkMessage *m, uint16_t type, const char *s) {
        netlink_put(m, type, s, strlen(s) + 1);
}

void netlink_put_u32(NetlinkMessage *m, uint16_t type, uint32_t v) {
        netlink_put(m, type, &v, sizeof v);
}

void netlink_begin(NetlinkMessage *m, uint16_t type) {
        if (m->n_nest >= ELEMENTSOF(m->nest)) {
                m->error = -E2BIG;
                return;
        }
        m->nest[m->n_nest++] = NLMSG_ALIGN(m->hdr.len);
        netlink_put(m, type | NLA_F_NESTED, NULL, 0);
}

void netlink_end(NetlinkMessage *m) {
        struct rtattr *rta;

        if (m->n_nest == 0) {
                m->error = -EINVAL;
                return;
        }
        rta = (struct rtattr *) (m->buf + m->nest[--m->n_nest]);
        rta->rta_len = (unsigned short) (m->hdr.len - m->nest[m->n_nest]);
}

int netlink_call(int fd, NetlinkMessage *m) {
        static uint32_t seq;
        struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
        uint8_t reply[8192];

        if (m->error < 0)
                return m->error;
        if (m->n_nest != 0)
                return -EINVAL;
        m->hdr.seq = ++seq;
        if (sendto(fd, m->buf, m->hdr.len, 0, (struct sockaddr *) &kernel, sizeof kernel) < 0)
                return -errno;

        for (;;) {
                ssize_t n = recv(fd, reply, sizeof reply, 0);

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                for (struct nlmsghdr *h = (struct nlmsghdr *) reply; NLMSG_OK(h, (size_t) n); h = NLMSG_NEXT(h, n)) {
                        if (h->nlmsg_seq != m->hdr.seq)
                                continue; /* not ours */
                        if (h->nlmsg_type == NLMSG_ERROR) {
                                const struct nlmsgerr *e = NLMSG_DATA(h);

                                if (h->nlmsg_len < NLMSG_LENGTH(sizeof *e))
                                        return -EBADMSG;
                                return e->error; /* 0 is the ACK; otherwise the kernel's -errno */
                        }
                }
        }
}
