/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* systemd-networkd units for our links: the defaults for each kind of link, the user's overrides merged over
 * them, keys the running networkd does not know filtered out, rendered to text and written atomically.
 *
 * The model is an IniFile (ini.h). Typical use:
 *
 *     units_defaults(UNIT_VETH_HOST, "ve-foo", NULL, &unit);
 *     units_load_override(path, &override, &error);     // user input: log error, which names file and line
 *     units_merge(unit, override, &error);               // ditto
 *     units_parse_version("systemd 252 (252.39-1~deb12u2)", &version);
 *     units_filter(unit, version);
 *     units_render(unit, "foo", &text);
 *     units_write_atomic(dirfd, "10-ve-foo.network", text, (uid_t) -1);
 *
 * Nothing here logs above debug. */

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "ini.h"

typedef enum UnitKind {
        UNIT_VETH_HOST,         /* ve-NAME, the host end of --network-veth */
        UNIT_VETH_CONTAINER,    /* host0, the container end (also with a zone) */
        UNIT_ZONE_BRIDGE,       /* vz-ZONE, the bridge of --network-zone, on the host */
        UNIT_ZONE_PORT,         /* vb-NAME, the host end enslaved to vz-ZONE: Unmanaged=yes */
        UNIT_MACVLAN_CONTAINER, /* mv-IF, inside */
        _UNIT_KIND_MAX,
} UnitKind;

/* The sections an override may contain (NULL-terminated), for ini_parse(). [Match] is listed so that
 * units_merge() can say why it is refused rather than calling it unknown. */
extern const char *const units_override_sections[];

/* The first line of everything we write; stale files are recognized by it. */
#define UNITS_HEADER_PREFIX "# Written by nixos-nspawn for machine "

/* The defaults for one link. ifname is the link's name, matched exactly: -EINVAL for a name networkd would read
 * as a pattern (or that the kernel would refuse). bridge is the zone's bridge for UNIT_ZONE_PORT and NULL for the
 * other kinds; it is checked but does not appear in the unit (the port is Unmanaged=yes, see units.c). */
int units_defaults(UnitKind kind, const char *ifname, const char *bridge, IniFile **ret);

/* ini_parse()/ini_load() with units_override_sections. */
int units_parse_override(const char *text, size_t size, const char *origin, IniFile **ret, char **ret_error);
int units_load_override(const char *path, IniFile **ret, char **ret_error);

/* Merges override into unit: in a section networkd has once per file ([Network], [DHCPServer], …) each key the
 * override sets replaces every value of that key in unit, at the place of its first one; keys the override does
 * not set stay; sections only in the override are added at the end. Sections networkd has once per object
 * ([Address], [Route], [IPv6Prefix]) are appended as they are. In [Network], Address=, Gateway= and DNS= values
 * holding several space-separated items become one line per item, as users write them that way but networkd takes
 * one address per Address= or Gateway= line. An override with [Match] is refused (-EINVAL with *ret_error naming
 * its origin and line): our unit must match the link we made and nothing else. */
int units_merge(IniFile *unit, const IniFile *override, char **ret_error);

/* The version number from `networkctl --version` / `systemctl --version` first lines ("systemd 252
 * (252.39-1~deb12u2)", "systemd 256~rc3 (…)"), from the manager's Version property ("252.39-1~deb12u2",
 * "v256-rc1-…") or a bare "252". -EINVAL when there is none. */
int units_parse_version(const char *s, unsigned *ret);

/* Adapts unit to networkd `version`: drops keys it does not know yet, renames those it knew under an older name,
 * and rewrites values whose meaning came later (IPMasquerade=both before v248 becomes "yes"). Keys not in our
 * table pass unchanged. Returns the number of entries dropped; -EOPNOTSUPP below UNITS_VERSION_MIN. */
#define UNITS_VERSION_MIN 211U
int units_filter(IniFile *unit, unsigned version);

/* Deterministic text: the header line naming the machine, then each section, a blank line between sections. */
int units_render(const IniFile *unit, const char *machine, char **ret);

/* The host end of every plain veth without a host override shares one unit, so that a start needs no reload of
 * networkd (netconf.c says why): kind's defaults (UNIT_VETH_HOST only) with Name= the glob name_glob ("PREFIX*",
 * the alternative name each such link gets), adapted to networkd `version` (0: keep all), under a header that
 * names no machine (it is no one container's, and stays). -EINVAL for another kind or a glob that could match
 * more than our alternative names. */
#define UNITS_SHARED_HEADER                                                                                            \
        "# Written by nixos-nspawn for the host end of every container's veth without a host override; kept.\n"
int units_render_shared(UnitKind kind, const char *name_glob, unsigned version, char **ret);

/* Whether text (a whole file or its first line) begins with our header, for `machine` or, when NULL, any. */
bool units_text_is_ours(const char *text, const char *machine);
/* Of a unit we wrote (text): the machine its header names and the link its [Match] Name= matches. -EINVAL when the
 * text is not ours or names no link. */
int units_parse_ours(const char *text, char **ret_machine, char ret_ifname[IFNAMSIZ]);

/* Writes text to dirfd/name through a hidden temporary file in the same directory (whose name does not end in
 * .network, so a networkd reload in between never reads a half-written unit) and renames it over. No fsync: the
 * files live in /run. name is a plain file name. The file is owner's ((uid_t) -1: ours) before it appears. */
int units_write_atomic(int dirfd, const char *name, const char *text, uid_t owner);

/* Removes dirfd/name if it is ours for `machine` (NULL: any machine). 1 when removed, 0 when absent or not ours. */
int units_remove_if_ours(int dirfd, const char *name, const char *machine);

/* A systemd-resolved drop-in for inside the container that turns Multicast DNS on globally (networkd's
 * MulticastDNS= per link only takes effect when resolved's global setting allows it). */
int units_resolved_dropin(const char *machine, char **ret);
