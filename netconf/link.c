/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "link.h"
#include "macro.h"
#include "netlink.h"
#include "id128.h"
#include "siphash.h"
#include "strutil.h"

/* Fixed: names must come out the same on every host and every run. */
static const uint8_t name_hash_key[16] = { 0x6e, 0x6e, 0x2d, 0x6c, 0x69, 0x6e, 0x6b, 0x2d,
                                           0x6e, 0x61, 0x6d, 0x65, 0x2d, 0x6b, 0x65, 0x79 };

int link_name(const char *prefix, const char *name, char ret[IFNAMSIZ], char **ret_altname) {
        _cleanup_free_ char *full = strprintf("%s%s", prefix, name);

        if (!full)
                return -ENOMEM;
        if (strlen(full) < IFNAMSIZ) {
                strcpy(ret, full);
                *ret_altname = NULL;
                return 0;
        }
        snprintf(ret, IFNAMSIZ, "%.11s%04x", full, (unsigned) (siphash24(full, strlen(full), name_hash_key) & 0xffff));
        *ret_altname = TAKE_PTR(full);
        return 0;
}

int link_mac(const char *ifname, const char *role, uint8_t ret[6]) {
        _cleanup_free_ char *data = strprintf("%s/%s", ifname, role);
        sd_id128_t machine_id;
        uint8_t key[16];
        uint64_t h;
        int r;

        if (!data)
                return -ENOMEM;
        r = id128_read_machine_id(&machine_id);
        /* no machine-id: stable per name still */
        memcpy(key, r < 0 ? name_hash_key : machine_id.bytes, sizeof key);
        h = siphash24(data, strlen(data), key);
        for (int i = 0; i < 6; i++)
                ret[i] = (uint8_t) (h >> (8 * i));
        ret[0] = (uint8_t) ((ret[0] & 0xfe) | 0x02); /* unicast, locally administered */
        return 0;
}

static int by_name(NetlinkMessage *m, const char *name) {
        if (strlen(name) >= IFNAMSIZ)
                return -ENAMETOOLONG;
        netlink_put_string(m, IFLA_IFNAME, name);
        return 0;
}

/* Alternative names (NULL entries: none), in one request; kernels before 5.5 have none, which is fine. */
static int set_altnames(int nl, const char *name, const char *const *altnames, size_t n_altnames) {
        NetlinkMessage m;
        size_t given = 0;
        int r;

        netlink_link_message(&m, RTM_NEWLINKPROP, NLM_F_EXCL, 0, 0, 0);
        (void) by_name(&m, name);
        netlink_begin(&m, IFLA_PROP_LIST);
        for (size_t i = 0; i < n_altnames; i++)
                if (altnames[i]) {
                        netlink_put_string(&m, IFLA_ALT_IFNAME, altnames[i]);
                        given++;
                }
        netlink_end(&m);
        if (given == 0)
                return 0;
        r = netlink_call(nl, &m);
        return r == -EOPNOTSUPP || r == -EINVAL ? 0 : r;
}

int link_create_veth(int nl, const char *name, const char *const altnames[LINK_ALTNAMES_MAX], const uint8_t mac[6],
                     const char *peer, const uint8_t peer_mac[6]) {
        struct ifinfomsg peer_ifi = { .ifi_family = AF_UNSPEC };
        NetlinkMessage m;
        int r;

        netlink_link_message(&m, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0, 0, 0);
        r = by_name(&m, name);
        if (r < 0)
                return r;
        netlink_put(&m, IFLA_ADDRESS, mac, 6);
        netlink_begin(&m, IFLA_LINKINFO);
        netlink_put_string(&m, IFLA_INFO_KIND, "veth");
        netlink_begin(&m, IFLA_INFO_DATA);
        netlink_begin(&m, VETH_INFO_PEER);
        netlink_put_raw(&m, &peer_ifi, sizeof peer_ifi); /* the peer's attributes follow its own ifinfomsg */
        netlink_put_string(&m, IFLA_IFNAME, peer);
        netlink_put(&m, IFLA_ADDRESS, peer_mac, 6);
        netlink_end(&m);
        netlink_end(&m);
        netlink_end(&m);
        r = netlink_call(nl, &m);
        if (r < 0)
                return r;

        r = set_altnames(nl, name, altnames, LINK_ALTNAMES_MAX);
        if (r < 0)
                (void) link_delete(nl, name);
        return r;
}

int link_create_macvlan(int nl, const char *parent, const char *name, const uint8_t mac[6], pid_t netns_pid) {
        unsigned parent_index = if_nametoindex(parent);
        NetlinkMessage m;
        int r;

        if (parent_index == 0)
                return -errno;
        netlink_link_message(&m, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0, 0, 0);
        r = by_name(&m, name);
        if (r < 0)
                return r;
        netlink_put_u32(&m, IFLA_LINK, parent_index);
        netlink_put(&m, IFLA_ADDRESS, mac, 6);
        netlink_put_u32(&m, IFLA_NET_NS_PID, (uint32_t) netns_pid);
        netlink_begin(&m, IFLA_LINKINFO);
        netlink_put_string(&m, IFLA_INFO_KIND, "macvlan");
        netlink_begin(&m, IFLA_INFO_DATA);
        netlink_put_u32(&m, IFLA_MACVLAN_MODE, MACVLAN_MODE_BRIDGE);
        netlink_end(&m);
        netlink_end(&m);
        return netlink_call(nl, &m);
}

int link_create_bridge(int nl, const char *name, const char *altname) {
        NetlinkMessage m;
        int r;

        netlink_link_message(&m, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0, 0, 0);
        r = by_name(&m, name);
        if (r < 0)
                return r;
        netlink_begin(&m, IFLA_LINKINFO);
        netlink_put_string(&m, IFLA_INFO_KIND, "bridge");
        netlink_end(&m);
        r = netlink_call(nl, &m);
        if (r < 0)
                return r;
        return set_altnames(nl, name, &altname, 1);
}

int link_move(int nl, const char *name, pid_t netns_pid) {
        NetlinkMessage m;
        int r;

        netlink_link_message(&m, RTM_NEWLINK, 0, 0, 0, 0);
        r = by_name(&m, name);
        if (r < 0)
                return r;
        netlink_put_u32(&m, IFLA_NET_NS_PID, (uint32_t) netns_pid);
        return netlink_call(nl, &m);
}

int link_set_master(int nl, const char *name, const char *master) {
        unsigned master_index = if_nametoindex(master);
        NetlinkMessage m;
        int r;

        if (master_index == 0)
                return -errno;
        netlink_link_message(&m, RTM_NEWLINK, 0, 0, 0, 0);
        r = by_name(&m, name);
        if (r < 0)
                return r;
        netlink_put_u32(&m, IFLA_MASTER, master_index);
        return netlink_call(nl, &m);
}

int link_set_up(int nl, const char *name) {
        NetlinkMessage m;
        int r;

        netlink_link_message(&m, RTM_NEWLINK, 0, 0, IFF_UP, IFF_UP);
        r = by_name(&m, name);
        if (r < 0)
                return r;
        return netlink_call(nl, &m);
}

int link_delete(int nl, const char *name) {
        NetlinkMessage m;
        int r;

        netlink_link_message(&m, RTM_DELLINK, 0, 0, 0, 0);
        r = by_name(&m, name);
        if (r < 0)
                return r;
        return netlink_call(nl, &m);
}

int link_bridge_ports(const char *name) {
        _cleanup_free_ char *path = strprintf("/sys/class/net/%s/brif", name);
        struct dirent *de;
        DIR *d;
        int n = 0;

        if (!path)
                return -ENOMEM;
        d = opendir(path);
        if (!d)
                return -errno;
        while ((de = readdir(d)))
                if (de->d_name[0] != '.')
                        n++;
        closedir(d);
        return n;
}
