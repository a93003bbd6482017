/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <net/if.h>
#include <stdint.h>
#include <sys/types.h>

/* Link names and stable MACs, and the rtnetlink operations on links. Library code: -errno, no logging. */

/* PREFIX + NAME, or when that exceeds IFNAMSIZ-1 characters, its first 11 characters and 4 hex digits of a keyed
 * hash of the whole, which then becomes the link's alternative name (ret_altname: NULL when the name fits). */
int link_name(const char *prefix, const char *name, char ret[IFNAMSIZ], char **ret_altname);
/* A locally administered unicast MAC, stable for this host (machine-id) and this link name and role. */
int link_mac(const char *ifname, const char *role, uint8_t ret[6]);

/* The alternative name every plain veth's host end gets: what the host's shared unit matches (netconf.c). */
#define LINK_VETH_ALTNAME_PREFIX "nixos-nspawn-ve-"
#define LINK_ALTNAMES_MAX 2
/* A veth pair, both ends in the network namespace of the socket nl, name with the alternative names given (NULL
 * entries: none) before it is seen anywhere else; moving name out is the caller's (link_move). */
int link_create_veth(int nl, const char *name, const char *const altnames[LINK_ALTNAMES_MAX], const uint8_t mac[6],
                     const char *peer, const uint8_t peer_mac[6]);
int link_create_macvlan(int nl, const char *parent, const char *name, const uint8_t mac[6], pid_t netns_pid);
int link_create_bridge(int nl, const char *name, const char *altname);
int link_move(int nl, const char *name, pid_t netns_pid);
int link_set_master(int nl, const char *name, const char *master);
int link_set_up(int nl, const char *name);
int link_delete(int nl, const char *name);
/* Number of ports a bridge has (from sysfs). */
int link_bridge_ports(const char *name);
