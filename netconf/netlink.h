/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* A minimal rtnetlink client: build one request, send it, wait for its ACK, return the kernel's error as -errno.
 * Library code: no logging above debug. */

#define NETLINK_MSG_MAX 4096

typedef struct NetlinkMessage {
        union {
                struct {
                        uint32_t len; /* nlmsghdr */
                        uint16_t type;
                        uint16_t flags;
                        uint32_t seq;
                        uint32_t pid;
                } hdr;
                uint8_t buf[NETLINK_MSG_MAX];
        };
        size_t nest[8]; /* offsets of open nested attributes */
        unsigned n_nest;
        int error; /* first error while building; reported by netlink_call() */
} NetlinkMessage;

int netlink_open(int *ret_fd);
/* RTM_NEWLINK/RTM_DELLINK/RTM_NEWLINKPROP… with a struct ifinfomsg for ifindex (0: by name) and flags. */
void netlink_link_message(NetlinkMessage *m, uint16_t type, uint16_t nlm_flags, int ifindex, unsigned ifi_flags,
                          unsigned ifi_change);
void netlink_put(NetlinkMessage *m, uint16_t type, const void *data, size_t len);
/* Unattributed bytes, e.g. the struct ifinfomsg that opens a veth peer's attributes. */
void netlink_put_raw(NetlinkMessage *m, const void *data, size_t len);
void netlink_put_string(NetlinkMessage *m, uint16_t type, const char *s);
void netlink_put_u32(NetlinkMessage *m, uint16_t type, uint32_t v);
void netlink_begin(NetlinkMessage *m, uint16_t type);
void netlink_end(NetlinkMessage *m);
/* Sends and waits for the ACK: 0, or the kernel's -errno. */
int netlink_call(int fd, NetlinkMessage *m);
