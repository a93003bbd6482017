/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Which of a unit's sections, keys and values the networkd that reads it knows: the version table and the filter
 * (units.h: units_parse_version(), units_filter()). What a unit says is units.c's; what a given networkd
 * understands of it is this file's. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "macro.h"
#include "strutil.h"
#include "units.h"

int units_parse_version(const char *s, unsigned *ret) {
        const char *p;
        unsigned long v = 0;
        size_t n;

        if (!s)
                return -EINVAL;
        s += strspn(s, " \t");
        p = startswith(s, "systemd ") ?: s;
        p += strspn(p, " ");
        if (*p == 'v') /* git-describe style, "v256-rc1-…" */
                p++;
        n = strspn(p, "0123456789");
        if (n == 0 || n > 5)
                return -EINVAL;
        /* what may follow the number: the end, the package version, a pre-release tag or a line's end */
        if (p[n] && !strchr(" \t\n(.~-+", p[n]))
                return -EINVAL;
        for (size_t i = 0; i < n; i++)
                v = v * 10 + (unsigned long) (p[i] - '0');
        if (v == 0)
                return -EINVAL;
        *ret = (unsigned) v;
        return 0;
}

/* When keys and sections appeared in networkd, from the "Added in version" notes of systemd.network(5) (v257),
 * corrected where a setting was renamed: IPv6SendRA= (v247) was IPv6PrefixDelegation= from v234 on, and the
 * [IPv6SendRA] section was [IPv6PrefixDelegation]. Keys not listed are passed through: an override may use any key
 * the user's networkd knows. key NULL: the section itself. */
typedef struct Since {
        const char *section;
        const char *key;
        unsigned version;
        const char *old_name; /* what it was called before `version`… */
        unsigned old_version; /* …from this version on */
} Since;

static const Since since_table[] = {
        { .section = "Match", .key = "Name", .version = 211 },
        { .section = "Match", .key = "Kind", .version = 251 },
        { .section = "Link", .key = "Unmanaged", .version = 233 },
        { .section = "Link", .key = "RequiredForOnline", .version = 236 },
        { .section = "Network", .key = "Address", .version = 211 },
        { .section = "Network", .key = "Gateway", .version = 211 },
        { .section = "Network", .key = "DNS", .version = 211 },
        { .section = "Network", .key = "DHCP", .version = 211 },
        { .section = "Network", .key = "DHCPServer", .version = 215 },
        { .section = "Network", .key = "Domains", .version = 216 },
        { .section = "Network", .key = "LLMNR", .version = 216 },
        { .section = "Network", .key = "LinkLocalAddressing", .version = 219 },
        { .section = "Network", .key = "IPMasquerade", .version = 219 },
        { .section = "Network", .key = "ConfigureWithoutCarrier", .version = 235 },
        { .section = "Network", .key = "LLDP", .version = 219 },
        { .section = "Network", .key = "MulticastDNS", .version = 229 },
        { .section = "Network", .key = "EmitLLDP", .version = 230 },
        { .section = "Network", .key = "IPv6AcceptRA", .version = 231 },
        { .section = "Network", .key = "IPv6SendRA", .version = 247, .old_name = "IPv6PrefixDelegation", .old_version = 234 },
        { .section = "IPv6SendRA", .key = NULL, .version = 247, .old_name = "IPv6PrefixDelegation", .old_version = 234 },
        { .section = "IPv6Prefix", .key = NULL, .version = 234 },
};

/* Values whose meaning came later than their key: before `version`, `value` becomes `replacement` (NULL: the
 * entry goes). IPMasquerade= was a boolean (IPv4 only) until v248, which added "ipv4", "ipv6" and "both" and kept
 * "yes" as a deprecated "ipv4" (systemd PR #18007). */
typedef struct ValueSince {
        const char *section;
        const char *key;
        const char *value;
        unsigned version;
        const char *replacement;
} ValueSince;

static const ValueSince value_since_table[] = {
        { "Network", "IPMasquerade", "both", 248, "yes" },
        { "Network", "IPMasquerade", "ipv4", 248, "yes" },
        { "Network", "IPMasquerade", "ipv6", 248, NULL },
};

static const Since *since_find(const char *section, const char *key) {
        for (size_t i = 0; i < ELEMENTSOF(since_table); i++) {
                const Since *t = &since_table[i];

                if (streq(t->section, section) && (key ? t->key && streq(t->key, key) : !t->key))
                        return t;
        }
        return NULL;
}

/* 1: keep (perhaps renamed or rewritten), 0: drop. */
static int filter_entry(const char *section, IniEntry *e, unsigned version) {
        const Since *t;

        for (size_t i = 0; i < ELEMENTSOF(value_since_table); i++) {
                const ValueSince *v = &value_since_table[i];
                int r;

                if (!streq(v->section, section) || !streq(v->key, e->key) || !streq(v->value, e->value) ||
                    version >= v->version)
                        continue;
                if (!v->replacement) {
                        log_debug("networkd %u does not know %s=%s, dropping it.", version, e->key, e->value);
                        return 0;
                }
                r = free_and_strdup(&e->value, v->replacement);
                if (r < 0)
                        return r;
                break;
        }

        t = since_find(section, e->key);
        if (!t || version >= t->version)
                return 1;
        if (t->old_name && version >= t->old_version) {
                int r = free_and_strdup(&e->key, t->old_name);

                return r < 0 ? r : 1;
        }
        log_debug("networkd %u does not know [%s] %s=, dropping it.", version, section, e->key);
        return 0;
}

int units_filter(IniFile *unit, unsigned version) {
        int dropped = 0, r;

        /* Older networkd did not have [Match] Name=: dropping it would make the unit match every link. */
        if (version < UNITS_VERSION_MIN)
                return -EOPNOTSUPP;

        for (size_t i = 0; i < unit->n_sections; i++) {
                IniSection *s = &unit->sections[i];
                const Since *t = since_find(s->name, NULL);
                size_t kept = 0;

                for (size_t j = 0; j < s->n_entries; j++) {
                        IniEntry *e = &s->entries[j];

                        r = filter_entry(s->name, e, version);
                        if (r < 0) {
                                /* keep the section consistent: the entries not looked at yet stay */
                                memmove(&s->entries[kept], e, (s->n_entries - j) * sizeof(IniEntry));
                                s->n_entries = kept + (s->n_entries - j);
                                return r;
                        }
                        if (r > 0 && t && version < t->version && !(t->old_name && version >= t->old_version))
                                r = 0; /* the whole section is unknown */
                        if (r == 0) {
                                free(e->key);
                                free(e->value);
                                dropped++;
                                continue;
                        }
                        s->entries[kept++] = *e;
                }
                s->n_entries = kept;

                if (t && version < t->version && t->old_name && version >= t->old_version) {
                        r = free_and_strdup(&s->name, t->old_name);
                        if (r < 0)
                                return r;
                }
        }
        ini_drop_empty_sections(unit);
        return dropped;
}
