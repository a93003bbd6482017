/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "strutil.h"
#include "fileio.h"
#include "units.h"

/* The sections users may override. The names are networkd's exact spellings (systemd.network(5)). [IPv6Prefix] is
 * beyond the basic list because the host ends send router advertisements by default and those carry a prefix
 * only when an [IPv6Prefix] section names one: without it an override cannot give containers SLAAC addresses. */
const char *const units_override_sections[] = {
        "Match",      "Link",   "Network",      "Address",    "Route",      "DHCPServer",
        "DHCPv4",     "DHCPv6", "IPv6AcceptRA", "IPv6SendRA", "IPv6Prefix", "LLDP",
        NULL,
};

/* Sections networkd reads as one object per header: two [Route] headers are two routes. All other sections are
 * one per file, however many headers name them. */
static bool section_is_per_object(const char *name) {
        return streq(name, "Address") || streq(name, "Route") || streq(name, "IPv6Prefix");
}

/* ---- defaults ---------------------------------------------------------------------------------------------- */

typedef struct DefaultEntry {
        const char *section;
        const char *key;
        const char *value; /* or IFNAME, for the link's name */
} DefaultEntry;

static const char IFNAME[] = "<ifname>";

/* Host end of a veth pair. As systemd's own 80-container-ve.network, except:
 * - Kind=veth rather than Driver=veth: the kind comes from the kernel over netlink, the driver from udev or ethtool;
 *   both are exact here since Name= already is. Older networkd (< v251) gets the Name= match alone (units_filter).
 * - Address=0.0.0.0/30 rather than /28: one container per link needs one lease, and a /30 takes a quarter of the
 *   space from the shared pool (10/8, 172.16/12, 192.168/16), so many more containers fit.
 * - Address=::/64: a /64 from networkd's IPv6 pool (fd00::/8; "::" marks the pool as "0.0.0.0" does for IPv4), so
 *   the host end has a unique-local address besides its link-local one. networkd's router advertisements announce
 *   only [IPv6Prefix] sections, not the prefixes of pool addresses (systemd issue #29115), so the container gets no
 *   address from it by SLAAC: IPv6 between the two ends uses link-local addresses unless an override adds an
 *   [IPv6Prefix]. systemd's file has no IPv6 address at all.
 *   networkd before v254 takes a second range from the pool for each pool address when the link gains carrier
 *   after networkd began configuring it (systemd issue #26113): both ends should be up before networkd is asked to
 *   configure the host end.
 * - IPv6AcceptRA=no (the host end is the router here) and MulticastDNS=yes (resolve NAME.local over the link).
 * - [Link] RequiredForOnline=no: a container's link must never hold up the host's network-online.target (the host
 *   end has no carrier until the container brings host0 up, and a container may never do that).
 * - ConfigureWithoutCarrier=yes: the addresses are configured when the link appears, not again when it gains
 *   carrier (networkd before v254 may take a second pool range then: systemd issue #26113). */
static const DefaultEntry veth_host[] = {
        { "Match", "Name", IFNAME },
        { "Match", "Kind", "veth" },
        { "Link", "RequiredForOnline", "no" },
        { "Network", "Address", "0.0.0.0/30" },
        { "Network", "Address", "::/64" },
        { "Network", "DHCPServer", "yes" },
        { "Network", "IPMasquerade", "both" },
        { "Network", "LinkLocalAddressing", "yes" },
        { "Network", "IPv6SendRA", "yes" },
        { "Network", "IPv6AcceptRA", "no" },
        { "Network", "LLDP", "yes" },
        { "Network", "EmitLLDP", "customer-bridge" },
        { "Network", "MulticastDNS", "yes" },
        { "Network", "ConfigureWithoutCarrier", "yes" },
        {},
};

/* Container end (host0), of a veth pair or of a zone's port. systemd's 80-container-host0.network matches
 * Virtualization=container too; our file lives in the container's own /run, so the name is enough. */
static const DefaultEntry veth_container[] = {
        { "Match", "Name", IFNAME },
        { "Match", "Kind", "veth" },
        { "Network", "DHCP", "yes" },
        { "Network", "LinkLocalAddressing", "yes" },
        { "Network", "IPv6AcceptRA", "yes" },
        { "Network", "LLDP", "yes" },
        { "Network", "EmitLLDP", "customer-bridge" },
        { "Network", "MulticastDNS", "yes" },
        {},
};

/* The zone bridge: like the host end of a veth pair, with systemd's /24 (80-container-vz.network) since the
 * containers of a zone share it. */
static const DefaultEntry zone_bridge[] = {
        { "Match", "Name", IFNAME },
        { "Match", "Kind", "bridge" },
        { "Link", "RequiredForOnline", "no" },
        { "Network", "Address", "0.0.0.0/24" },
        { "Network", "Address", "::/64" },
        { "Network", "DHCPServer", "yes" },
        { "Network", "IPMasquerade", "both" },
        { "Network", "LinkLocalAddressing", "yes" },
        { "Network", "IPv6SendRA", "yes" },
        { "Network", "IPv6AcceptRA", "no" },
        { "Network", "LLDP", "yes" },
        { "Network", "EmitLLDP", "customer-bridge" },
        { "Network", "MulticastDNS", "yes" },
        {},
};

/* A zone's port (vb-NAME). systemd ships no unit for these: nspawn enslaves them itself and networkd leaves them
 * alone. Ours says so explicitly (Unmanaged=yes), so that a catch-all .network on the host (Name=*, Type=ether…)
 * sorted after ours cannot claim the port: networkd would start IPv6 link-local addressing or DHCP on it, and take
 * it out of the bridge, since it removes a master the matching unit does not name. Bridge=vz-ZONE cannot be used
 * instead: networkd resolves it against the bridges it created itself from .netdev files, and with a bridge made
 * by us it warns "vz-ZONE NetDev could not be found, ignoring assignment" and then detaches the port (seen with
 * networkd 252). */
static const DefaultEntry zone_port[] = {
        { "Match", "Name", IFNAME },
        { "Match", "Kind", "veth" },
        { "Link", "Unmanaged", "yes" },
        {},
};

/* A macvlan inside: a client on the host's LAN, like host0 but without EmitLLDP=. LLDP emission on a real LAN
 * announces the container's hostname and machine ID to every switch and neighbour (systemd.network(5) advises
 * against it on untrusted networks), and the host itself does not emit LLDP there by default. */
static const DefaultEntry macvlan_container[] = {
        { "Match", "Name", IFNAME },
        { "Match", "Kind", "macvlan" },
        { "Network", "DHCP", "yes" },
        { "Network", "LinkLocalAddressing", "yes" },
        { "Network", "IPv6AcceptRA", "yes" },
        { "Network", "LLDP", "yes" },
        { "Network", "MulticastDNS", "yes" },
        {},
};

static const DefaultEntry *const defaults_by_kind[_UNIT_KIND_MAX] = {
        [UNIT_VETH_HOST] = veth_host,
        [UNIT_VETH_CONTAINER] = veth_container,
        [UNIT_ZONE_BRIDGE] = zone_bridge,
        [UNIT_ZONE_PORT] = zone_port,
        [UNIT_MACVLAN_CONTAINER] = macvlan_container,
};

/* An interface name (ifname_is_valid()) that networkd's Name= would not read as a glob or a negation: the unit
 * must match exactly this link. */
static bool ifname_exact(const char *s) {
        return !isempty(s) && ifname_is_valid(s) && !strpbrk(s, "*?[]!\\\"'");
}

static int section_get(IniFile *ini, const char *name, IniSection **ret) {
        IniSection *s = ini_find_section(ini, name);

        if (s) {
                *ret = s;
                return 0;
        }
        return ini_add_section(ini, name, ret);
}

/* The defaults of kind, Name= matching `name` (checked by the callers) */
static int defaults_build(UnitKind kind, const char *name, IniFile **ret) {
        _cleanup_ini_free_ IniFile *ini = NULL;
        int r;

        r = ini_new("(defaults)", &ini);
        if (r < 0)
                return r;
        for (const DefaultEntry *d = defaults_by_kind[kind]; d->section; d++) {
                const char *value = d->value == IFNAME ? name : d->value;
                IniSection *s;

                r = section_get(ini, d->section, &s);
                if (r < 0)
                        return r;
                r = ini_add_entry(s, d->key, value, 0);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(ini);
        return 0;
}

int units_defaults(UnitKind kind, const char *ifname, const char *bridge, IniFile **ret) {
        if (kind < 0 || kind >= _UNIT_KIND_MAX || !ifname_exact(ifname))
                return -EINVAL;
        if ((kind == UNIT_ZONE_PORT) != !!bridge || (bridge && !ifname_exact(bridge)))
                return -EINVAL;
        return defaults_build(kind, ifname, ret);
}

/* "nixos-nspawn-…*": the start of one of our alternative names (ALTIFNAMSIZ, 128 with its NUL) in the characters a
 * machine name uses, then '*': a glob for our own links and nothing else. */
static bool altname_glob_valid(const char *s) {
        size_t n = strlen(s);

        if (!startswith(s, "nixos-nspawn-") || n >= 128 || s[n - 1] != '*')
                return false;
        for (size_t i = 0; i + 1 < n; i++)
                if (!isascii(s[i]) || !(isalnum(s[i]) || s[i] == '-' || s[i] == '.'))
                        return false;
        return true;
}

int units_parse_override(const char *text, size_t size, const char *origin, IniFile **ret, char **ret_error) {
        return ini_parse(text, size, origin, units_override_sections, ret, ret_error);
}

int units_load_override(const char *path, IniFile **ret, char **ret_error) {
        return ini_load(path, units_override_sections, ret, ret_error);
}

/* ---- merge ------------------------------------------------------------------------------------------------- */

static bool value_is_list_of_one_per_line(const char *section, const char *key) {
        return streq(section, "Network") && (streq(key, "Address") || streq(key, "Gateway") || streq(key, "DNS"));
}

static int insert_entry(IniSection *s, size_t at, const char *key, const char *value, unsigned line) {
        int r = ini_add_entry(s, key, value, line);

        if (r < 0)
                return r;
        if (at < s->n_entries - 1) {
                IniEntry e = s->entries[s->n_entries - 1];

                memmove(&s->entries[at + 1], &s->entries[at], (s->n_entries - 1 - at) * sizeof(IniEntry));
                s->entries[at] = e;
        }
        return 0;
}

/* Inserts the value at *at, split into one entry per space-separated item where networkd wants that. */
static int insert_value(IniSection *s, size_t *at, const IniEntry *e) {
        const char *p = e->value;
        int r;

        if (!value_is_list_of_one_per_line(s->name, e->key) || !strchr(p, ' ')) {
                r = insert_entry(s, *at, e->key, e->value, e->line);
                if (r < 0)
                        return r;
                (*at)++;
                return 0;
        }
        for (;;) {
                _cleanup_free_ char *item = NULL;
                size_t n;

                p += strspn(p, " ");
                n = strcspn(p, " ");
                if (n == 0)
                        return 0;
                item = strndup(p, n);
                if (!item)
                        return -ENOMEM;
                r = insert_entry(s, *at, e->key, item, e->line);
                if (r < 0)
                        return r;
                (*at)++;
                p += n;
        }
}

static bool key_seen_before(const IniFile *ini, size_t upto_section, size_t upto_entry, const char *section,
                            const char *key) {
        for (size_t i = 0; i <= upto_section && i < ini->n_sections; i++) {
                const IniSection *s = &ini->sections[i];
                size_t n = i == upto_section ? upto_entry : s->n_entries;

                if (!streq(s->name, section))
                        continue;
                for (size_t j = 0; j < n; j++)
                        if (streq(s->entries[j].key, key))
                                return true;
        }
        return false;
}

/* All values of `key` in every override section named like target, in order. */
static int merge_key(IniSection *target, const IniFile *override, const char *key) {
        size_t at = target->n_entries;
        int r;

        for (size_t j = 0; j < target->n_entries; j++)
                if (streq(target->entries[j].key, key)) {
                        at = j;
                        break;
                }
        (void) ini_section_remove_key(target, key);
        if (at > target->n_entries)
                at = target->n_entries;

        for (size_t i = 0; i < override->n_sections; i++) {
                const IniSection *o = &override->sections[i];

                if (!streq(o->name, target->name))
                        continue;
                for (size_t j = 0; j < o->n_entries; j++) {
                        if (!streq(o->entries[j].key, key))
                                continue;
                        r = insert_value(target, &at, &o->entries[j]);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

_printf_(2, 3) static int merge_fail(char **ret_error, const char *fmt, ...) {
        va_list ap;
        int r;

        if (!ret_error)
                return -EINVAL;
        va_start(ap, fmt);
        r = vasprintf(ret_error, fmt, ap);
        va_end(ap);
        if (r < 0) {
                *ret_error = NULL;
                return -ENOMEM;
        }
        return -EINVAL;
}

/* An address as networkd takes it in Address= (ADDRESS[/PREFIX]) or Gateway= (ADDRESS, or a "_dhcp4"-style
 * keyword), checked with inet_pton as networkd parses it: a bad one is refused with its file and line here
 * rather than logged by networkd as it skips the line (the link then silently lacks it). */
static bool address_is_valid(const char *item, bool prefix_allowed) {
        char buf[INET6_ADDRSTRLEN + 8], *slash;
        unsigned char bin[16];
        unsigned long max;
        bool v6;

        if (!prefix_allowed && item[0] == '_')
                return item[1] != 0;
        if (strlen(item) >= sizeof buf)
                return false;
        strcpy(buf, item);
        slash = prefix_allowed ? strchr(buf, '/') : NULL;
        if (slash)
                *slash++ = 0;
        v6 = strchr(buf, ':');
        if (inet_pton(v6 ? AF_INET6 : AF_INET, buf, bin) != 1)
                return false;
        if (!slash)
                return true;
        max = v6 ? 128 : 32;
        if (!*slash || strspn(slash, "0123456789") != strlen(slash) || strlen(slash) > 3 || strtoul(slash, NULL, 10) > max)
                return false;
        return true;
}

static int check_addresses(const IniFile *override, const IniSection *o, const IniEntry *e, char **ret_error) {
        bool address = streq(e->key, "Address") && (streq(o->name, "Network") || streq(o->name, "Address"));
        bool gateway = streq(e->key, "Gateway") && (streq(o->name, "Network") || streq(o->name, "Route"));

        if (!address && !gateway)
                return 0;
        for (const char *p = e->value + strspn(e->value, " \t"); *p; p += strspn(p, " \t")) {
                size_t n = strcspn(p, " \t");
                char item[128];

                snprintf(item, sizeof item, "%.*s", (int) n, p);
                if (n >= sizeof item || !address_is_valid(item, address))
                        return merge_fail(ret_error, "%s:%u: %s= '%.*s' is not an IP address%s",
                                          override->origin, e->line, e->key, (int) n, p,
                                          address ? " (ADDRESS[/PREFIX])" : "");
                p += n;
        }
        return 0;
}

/* Everything that can refuse an override is checked before unit changes, so a refused override leaves it as it
 * was. */
static int merge_check(const IniFile *override, char **ret_error) {
        for (size_t i = 0; i < override->n_sections; i++) {
                const IniSection *o = &override->sections[i];

                if (streq(o->name, "Match"))
                        return merge_fail(ret_error,
                                          "%s:%u: a [Match] section cannot be overridden: the unit must match the "
                                          "link nixos-nspawn created",
                                          override->origin, o->line);
                for (size_t j = 0; j < o->n_entries; j++) {
                        const IniEntry *e = &o->entries[j];
                        int r = check_addresses(override, o, e, ret_error);

                        if (r < 0)
                                return r;
                        if (!value_is_list_of_one_per_line(o->name, e->key))
                                continue;
                        /* ini_parse() refuses a trailing backslash on a line; splitting must not make one either:
                         * in the unit we write it would join the next line to this item. */
                        if (strstr(e->value, "\\ "))
                                return merge_fail(ret_error, "%s:%u: an item of %s= ends in a backslash",
                                                  override->origin, e->line, e->key);
                }
        }
        return 0;
}

int units_merge(IniFile *unit, const IniFile *override, char **ret_error) {
        int r;

        r = merge_check(override, ret_error);
        if (r < 0)
                return r;

        for (size_t i = 0; i < override->n_sections; i++) {
                const IniSection *o = &override->sections[i];
                IniSection *target;
                size_t at = 0;

                if (section_is_per_object(o->name)) {
                        if (o->n_entries == 0)
                                continue;
                        r = ini_add_section(unit, o->name, &target);
                        if (r < 0)
                                return r;
                        target->line = o->line;
                        for (size_t j = 0; j < o->n_entries; j++) {
                                r = insert_value(target, &at, &o->entries[j]);
                                if (r < 0)
                                        return r;
                        }
                        continue;
                }

                /* Each key once, at its first appearance in the override, with all of its values from every
                 * header of this name (networkd reads repeated headers of such sections as one). */
                for (size_t j = 0; j < o->n_entries; j++) {
                        const char *key = o->entries[j].key;

                        if (key_seen_before(override, i, j, o->name, key))
                                continue;
                        r = section_get(unit, o->name, &target);
                        if (r < 0)
                                return r;
                        r = merge_key(target, override, key);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

/* ---- rendering and files ----------------------------------------------------------------------------------- */

static bool machine_printable(const char *machine) {
        return !isempty(machine) && ini_value_valid(machine);
}

static char *header_line(const char *machine) {
        return strprintf(UNITS_HEADER_PREFIX "%s; removed when it stops.\n", machine);
}

static int render_with_header(const IniFile *unit, const char *header, char **ret) {
        size_t size;
        char *buf, *p;

        /* Our own model could only be wrong by a bug; refuse rather than write a unit that says something else. */
        size = strlen(header) + 1;
        for (size_t i = 0; i < unit->n_sections; i++) {
                const IniSection *s = &unit->sections[i];

                if (!ini_section_name_valid(s->name))
                        return -EINVAL;
                size += strlen(s->name) + 4; /* "\n[" "]\n" */
                for (size_t j = 0; j < s->n_entries; j++) {
                        if (!ini_key_valid(s->entries[j].key) || !ini_value_valid(s->entries[j].value))
                                return -EINVAL;
                        size += strlen(s->entries[j].key) + strlen(s->entries[j].value) + 2; /* "=" "\n" */
                }
        }

        buf = malloc(size);
        if (!buf)
                return -ENOMEM;
        p = stpcpy(buf, header);
        for (size_t i = 0; i < unit->n_sections; i++) {
                const IniSection *s = &unit->sections[i];

                if (s->n_entries == 0)
                        continue;
                p = stpcpy(stpcpy(stpcpy(p, "\n["), s->name), "]\n");
                for (size_t j = 0; j < s->n_entries; j++)
                        p = stpcpy(stpcpy(stpcpy(stpcpy(p, s->entries[j].key), "="), s->entries[j].value), "\n");
        }
        *ret = buf;
        return 0;
}

int units_render(const IniFile *unit, const char *machine, char **ret) {
        _cleanup_free_ char *header = NULL;

        if (!machine_printable(machine))
                return -EINVAL;
        header = header_line(machine);
        if (!header)
                return -ENOMEM;
        return render_with_header(unit, header, ret);
}

int units_render_shared(UnitKind kind, const char *name_glob, unsigned version, char **ret) {
        _cleanup_ini_free_ IniFile *unit = NULL;
        int r;

        if (kind != UNIT_VETH_HOST || !name_glob || !altname_glob_valid(name_glob))
                return -EINVAL;
        r = defaults_build(kind, name_glob, &unit);
        if (r < 0)
                return r;
        if (version > 0) {
                r = units_filter(unit, version);
                if (r < 0)
                        return r;
        }
        return render_with_header(unit, UNITS_SHARED_HEADER, ret);
}

bool units_text_is_ours(const char *text, const char *machine) {
        _cleanup_free_ char *header = NULL;
        size_t n;

        if (!text || !startswith(text, UNITS_HEADER_PREFIX))
                return false;
        if (!machine)
                return true;
        header = header_line(machine);
        if (!header)
                return false;
        /* the whole first line, with or without its newline */
        n = strlen(header) - 1;
        return strncmp(text, header, n) == 0 && (text[n] == '\n' || text[n] == 0);
}

int units_parse_ours(const char *text, char **ret_machine, char ret_ifname[IFNAMSIZ]) {
        const char *m = startswith(text, UNITS_HEADER_PREFIX), *section = NULL;
        char *machine;

        if (!m)
                return -EINVAL;
        for (const char *l = text; *l;) {
                const char *end = strchrnul(l, '\n'), *v;

                if (*l == '[')
                        section = l;
                else if (section && startswith(section, "[Match]\n") && (v = startswith(l, "Name="))) {
                        if ((size_t) (end - v) >= IFNAMSIZ || end == v)
                                return -EINVAL;
                        machine = strndup(m, strcspn(m, ";\n"));
                        if (!machine)
                                return -ENOMEM;
                        memcpy(ret_ifname, v, (size_t) (end - v));
                        ret_ifname[end - v] = 0;
                        *ret_machine = machine;
                        return 0;
                }
                l = *end ? end + 1 : end;
        }
        return -EINVAL;
}

static bool filename_plain(const char *name) {
        return !isempty(name) && !strchr(name, '/') && name[0] != '.' && strlen(name) <= 200 &&
               !string_has_cc(name);
}

int units_write_atomic(int dirfd, const char *name, const char *text, uid_t owner) {
        char tmp[256];
        int r;

        if (!filename_plain(name) || !text)
                return -EINVAL;

        for (unsigned attempt = 0;; attempt++) {
                uint64_t rnd;

                if (getrandom(&rnd, sizeof rnd, GRND_NONBLOCK) != sizeof rnd)
                        return errno > 0 ? -errno : -EIO;
                snprintf(tmp, sizeof tmp, ".#%s.%016llx", name, (unsigned long long) rnd);
                /* 0644 whatever the umask: networkd runs as its own user and must read it */
                r = write_file_at(dirfd, tmp, text, strlen(text), 0644, owner);
                if (r != -EEXIST || attempt >= 16)
                        break;
        }
        if (r >= 0 && renameat(dirfd, tmp, dirfd, name) < 0)
                r = -errno;
        if (r < 0 && r != -EEXIST) /* (EEXIST: made by someone else, not ours to remove) */
                (void) unlinkat(dirfd, tmp, 0);
        return r < 0 ? r : 0;
}

int units_remove_if_ours(int dirfd, const char *name, const char *machine) {
        _cleanup_close_ int fd = -EBADF;
        struct stat st;
        char buf[512];
        ssize_t n;

        if (!filename_plain(name))
                return -EINVAL;
        fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK);
        if (fd < 0)
                return errno == ENOENT ? 0 : -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return 0;
        n = pread(fd, buf, sizeof buf - 1, 0);
        if (n < 0)
                return -errno;
        buf[n] = 0;
        if (!units_text_is_ours(buf, machine))
                return 0;
        if (unlinkat(dirfd, name, 0) < 0)
                return errno == ENOENT ? 0 : -errno;
        return 1;
}

int units_resolved_dropin(const char *machine, char **ret) {
        _cleanup_free_ char *header = NULL;
        char *s;

        if (!machine_printable(machine))
                return -EINVAL;
        header = header_line(machine);
        if (!header)
                return -ENOMEM;
        s = strprintf("%s\n[Resolve]\nMulticastDNS=yes\n", header);
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}
