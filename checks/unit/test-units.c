/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Claims about netconf/units.c: the default units of each link, how overrides merge over them, how units adapt to
 * older networkd, and how they are rendered and written. Rendered units are compared byte for byte with the files
 * in checks/unit/golden/; UPDATE_GOLDEN=1 rewrites those files instead. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "ini.h"
#include "macro.h"
#include "strutil.h"
#include "tap.h"
#include "units.h"

static char golden_dir[PATH_MAX];

static void golden_init(void) {
        char file[PATH_MAX];

        snprintf(file, sizeof file, "%s", __FILE__);
        snprintf(golden_dir, sizeof golden_dir, "%s/golden", dirname(file));
}

/* The file is written with UPDATE_GOLDEN=1 and compared otherwise. */
static void golden(const char *name, const char *text) {
        _cleanup_free_ char *path = strprintf("%s/%s", golden_dir, name), *want = NULL;
        const char *update = getenv("UPDATE_GOLDEN");
        int r;

        if (!path || !text) {
                ok(false, "golden %s: rendered", name);
                return;
        }
        if (update && streq(update, "1")) {
                _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
                size_t n = strlen(text);

                ok(fd >= 0 && write(fd, text, n) == (ssize_t) n, "golden %s: updated", name);
                return;
        }
        r = read_full_file(path, &want, NULL);
        if (!is_int(r, 0, "golden %s: readable", name)) {
                diag("run with UPDATE_GOLDEN=1 to create %s", path);
                return;
        }
        if (!is_str(text, want, "golden %s: rendered unit matches", name))
                diag("if the change is intended, run with UPDATE_GOLDEN=1 and review the diff of %s", path);
}

static char *render(const IniFile *unit, const char *machine) {
        char *text = NULL;
        int r = units_render(unit, machine, &text);

        if (!is_int(r, 0, "render for machine %s", machine))
                return NULL;
        return text;
}

static IniFile *defaults(UnitKind kind, const char *ifname) {
        IniFile *unit = NULL;

        is_int(units_defaults(kind, ifname, kind == UNIT_ZONE_PORT ? "vz-lab" : NULL, &unit), 0, "defaults for %s",
               ifname);
        return unit;
}

static IniFile *override(const char *text, const char *origin) {
        _cleanup_free_ char *error = NULL;
        IniFile *o = NULL;

        if (!is_int(units_parse_override(text, strlen(text), origin, &o, &error), 0, "override %s parses", origin))
                diag("error: %s", error ?: "(none)");
        return o;
}

static void merge_ok(IniFile *unit, const IniFile *o, const char *what) {
        _cleanup_free_ char *error = NULL;

        if (!is_int(units_merge(unit, o, &error), 0, "merge: %s", what))
                diag("error: %s", error ?: "(none)");
}

/* The values of key in the first section called `section`, joined by '|', for compact claims. */
static char *values(const IniFile *unit, const char *section, const char *key) {
        const IniSection *s = ini_find_section(unit, section);
        char *buf = NULL;
        size_t size = 0;
        bool first = true;
        FILE *f;

        f = open_memstream(&buf, &size);
        if (!f)
                abort();
        for (size_t j = 0; s && j < s->n_entries; j++)
                if (streq(s->entries[j].key, key)) {
                        fprintf(f, "%s%s", first ? "" : "|", s->entries[j].value);
                        first = false;
                }
        fclose(f);
        return buf;
}

static void is_values(const IniFile *unit, const char *section, const char *key, const char *want, const char *what) {
        _cleanup_free_ char *got = values(unit, section, key);

        is_str(got, want, "%s: [%s] %s=", what, section, key);
}

static void test_defaults(void) {
        static const struct {
                UnitKind kind;
                const char *ifname, *golden;
        } cases[] = {
                { UNIT_VETH_HOST, "ve-demo", "veth-host.network" },
                { UNIT_VETH_CONTAINER, "host0", "veth-container.network" },
                { UNIT_ZONE_BRIDGE, "vz-lab", "zone-bridge.network" },
                { UNIT_ZONE_PORT, "vb-demo", "zone-port.network" },
                { UNIT_MACVLAN_CONTAINER, "mv-eth0", "macvlan-container.network" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_ini_free_ IniFile *unit = defaults(cases[i].kind, cases[i].ifname);
                _cleanup_free_ char *text = NULL;

                if (!unit)
                        continue;
                is_values(unit, "Match", "Name", cases[i].ifname, cases[i].golden);
                text = render(unit, "demo");
                golden(cases[i].golden, text);
        }
}

static void test_defaults_refused(void) {
        IniFile *unit = NULL;
        static const char *const bad[] = {
                "", "ve-*", "ve-?", "ve-[ab]", "!ve-x", "ve x", "ve/x", "ve:x", "0123456789abcdef", ".", "..",
                "ve-\n", "ve-é",
        };

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                is_int(units_defaults(UNIT_VETH_HOST, bad[i], NULL, &unit), -EINVAL, "defaults: refuse ifname '%s'",
                       bad[i]);
                ok(!unit, "defaults: no result for '%s'", bad[i]);
        }
        is_int(units_defaults(UNIT_VETH_HOST, NULL, NULL, &unit), -EINVAL, "defaults: refuse NULL ifname");
        is_int(units_defaults(UNIT_ZONE_PORT, "vb-x", NULL, &unit), -EINVAL, "defaults: a port names its bridge");
        is_int(units_defaults(UNIT_VETH_HOST, "ve-x", "vz-y", &unit), -EINVAL, "defaults: only a port has a bridge");
        is_int(units_defaults(UNIT_ZONE_PORT, "vb-x", "vz-*", &unit), -EINVAL, "defaults: bridge name checked too");
        is_int(units_defaults(_UNIT_KIND_MAX, "x", NULL, &unit), -EINVAL, "defaults: unknown kind");
        ok(!unit, "defaults: no result after refusals");
        is_int(units_defaults(UNIT_VETH_HOST, "0123456789abcde", NULL, &unit), 0, "defaults: 15 characters is fine");
        ini_free(unit);
}

/* Issue 4's static example, as users write it. */
static void test_static_example(void) {
        _cleanup_ini_free_ IniFile *host = defaults(UNIT_VETH_HOST, "ve-demo");
        _cleanup_ini_free_ IniFile *container = defaults(UNIT_VETH_CONTAINER, "host0");
        _cleanup_ini_free_ IniFile *host_o = override("[Network]\nDHCPServer=no\nAddress=fc42::1/64 192.168.42.1/24\n",
                                                      "host.conf");
        _cleanup_ini_free_ IniFile *container_o = override(
                "[Network]\nDHCP=no\nAddress=fc42::2/64 192.168.42.2/24\nGateway=fc42::1 192.168.42.1\n",
                "container.conf");
        _cleanup_free_ char *host_text = NULL, *container_text = NULL;

        if (!host || !container || !host_o || !container_o)
                return;
        merge_ok(host, host_o, "static host");
        merge_ok(container, container_o, "static container");
        is_values(host, "Network", "Address", "fc42::1/64|192.168.42.1/24", "static host: pool addresses replaced");
        is_values(host, "Network", "DHCPServer", "no", "static host");
        is_values(host, "Network", "IPMasquerade", "both", "static host: other defaults stay");
        is_values(container, "Network", "Gateway", "fc42::1|192.168.42.1", "static container: one gateway a line");
        is_values(container, "Network", "DHCP", "no", "static container");
        host_text = render(host, "demo");
        container_text = render(container, "demo");
        golden("static-host.network", host_text);
        golden("static-container.network", container_text);
}

static void test_merge(void) {
        _cleanup_ini_free_ IniFile *unit = defaults(UNIT_VETH_HOST, "ve-demo");
        _cleanup_ini_free_ IniFile *o = override("[Network]\n"
                                                 "DNS=1.1.1.1  9.9.9.9\n"
                                                 "Address=\n"
                                                 "Domains=a.example b.example\n"
                                                 "[DHCPServer]\n"
                                                 "PoolOffset=10\n"
                                                 "[Route]\n"
                                                 "Gateway=10.1.0.1\n"
                                                 "Destination=10.2.0.0/16\n"
                                                 "[Network]\n"
                                                 "DNS=8.8.8.8\n"
                                                 "LLDP=no\n"
                                                 "[Route]\n"
                                                 "Gateway=10.1.0.2 10.1.0.3\n"
                                                 "[Address]\n"
                                                 "Address=10.5.0.1/24 10.6.0.1/24\n",
                                                 "merge.conf");
        const IniSection *network;

        if (!unit || !o)
                return;
        merge_ok(unit, o, "general");
        is_values(unit, "Network", "DNS", "1.1.1.1|9.9.9.9|8.8.8.8",
                  "repeated [Network] headers fold into one; DNS= split per item");
        is_values(unit, "Network", "Address", "", "an empty value replaces (networkd: reset) and stays empty");
        is_values(unit, "Network", "Domains", "a.example b.example", "Domains= is a list networkd splits itself");
        is_values(unit, "Network", "LLDP", "no", "override replaces a default");
        is_values(unit, "Network", "EmitLLDP", "customer-bridge", "keys not overridden stay");
        is_values(unit, "DHCPServer", "PoolOffset", "10", "section only in the override is added");

        network = ini_find_section(unit, "Network");
        if (network && network->n_entries > 0) {
                is_str(network->entries[0].key, "Address", "replaced key keeps the place of its first default");
                is_str(network->entries[network->n_entries - 2].key, "DNS", "new keys go at the end (1)");
                is_str(network->entries[network->n_entries - 1].key, "Domains",
                       "new keys go at the end, in override order (2)");
        }

        /* the layout after merging: Match, Link, Network (defaults), then the override's new sections in order */
        if (is_int(unit->n_sections, 7, "sections after merge")) {
                is_str(unit->sections[3].name, "DHCPServer", "new sections in override order (1)");
                is_str(unit->sections[4].name, "Route", "new sections in override order (2)");
                is_str(unit->sections[5].name, "Route", "two [Route] headers stay two routes");
                is_int(unit->sections[4].n_entries, 2, "first route has its two keys");
                is_int(unit->sections[5].n_entries, 1, "[Route] Gateway= is not split (one route, one gateway)");
                is_str(unit->sections[6].name, "Address", "[Address] appended");
                is_int(unit->sections[6].n_entries, 1, "[Address] Address= is not split");
        }
}

static void test_merge_twice(void) {
        _cleanup_ini_free_ IniFile *unit = defaults(UNIT_VETH_CONTAINER, "host0");
        _cleanup_ini_free_ IniFile *a = override("[Network]\nDNS=1.1.1.1\n[DHCPv4]\nUseDNS=no\n", "a.conf");
        _cleanup_ini_free_ IniFile *b = override("[Network]\nDNS=9.9.9.9\n[DHCPv4]\nUseDomains=yes\n", "b.conf");

        if (!unit || !a || !b)
                return;
        merge_ok(unit, a, "first");
        merge_ok(unit, b, "second");
        is_values(unit, "Network", "DNS", "9.9.9.9", "a later override replaces an earlier one");
        is_values(unit, "DHCPv4", "UseDNS", "no", "sections merge across overrides");
        is_values(unit, "DHCPv4", "UseDomains", "yes", "sections merge across overrides (2)");
}

static void test_merge_refuses_match(void) {
        _cleanup_ini_free_ IniFile *unit = defaults(UNIT_VETH_HOST, "ve-demo");
        _cleanup_ini_free_ IniFile *o = override("[Network]\nDHCP=no\n\n[Match]\nName=*\n", "/etc/x/host.conf");
        _cleanup_free_ char *error = NULL, *before = NULL, *after = NULL;

        if (!unit || !o)
                return;
        before = render(unit, "demo");
        is_int(units_merge(unit, o, &error), -EINVAL, "merge: [Match] refused");
        ok(error && startswith(error, "/etc/x/host.conf:4: ") && strstr(error, "[Match]"),
           "merge: message names file, line and [Match]");
        diag("message: %s", error ?: "(none)");
        after = render(unit, "demo");
        is_str(after, before, "merge: a refused override changes nothing");
        is_int(units_merge(unit, o, NULL), -EINVAL, "merge: ret_error may be NULL");

        {
                _cleanup_ini_free_ IniFile *bs = override("[Network]\nDHCP=no\nAddress=10.0.0.1/24\\ 10.0.0.2/24\n",
                                                          "bs.conf");
                _cleanup_free_ char *bs_error = NULL, *again = NULL;

                if (bs) {
                        is_int(units_merge(unit, bs, &bs_error), -EINVAL,
                               "merge: splitting must not leave an item ending in a backslash");
                        ok(bs_error && startswith(bs_error, "bs.conf:3: "), "merge: message names file and line");
                        again = render(unit, "demo");
                        is_str(again, before, "merge: nothing changed before the refusal");
                }
        }
}

static void test_override_sections(void) {
        _cleanup_free_ char *error = NULL;
        IniFile *o = NULL;

        const char *all = "[IPv6Prefix]\nPrefix=fd42::/64\n[IPv6SendRA]\nRouterLifetimeSec=0\n"
                          "[IPv6AcceptRA]\nUseDNS=no\n[DHCPv6]\nUseDNS=no\n[LLDP]\nMUDURL=x\n"
                          "[Link]\nMTUBytes=1400\n";

        is_int(units_parse_override(all, strlen(all), "sections.conf", &o, &error), 0,
               "override: every allowed section parses");
        if (error)
                diag("error: %s", error);
        ini_free(o);
        o = NULL;
        free(error);
        error = NULL;
        is_int(units_parse_override("[NetDev]\nKind=veth\n", 19, "x.conf", &o, &error), -EINVAL,
               "override: [NetDev] is not a .network section");
        ok(error && strstr(error, "x.conf:1: unknown section [NetDev]"), "override: message for an unknown section");
}

static void test_version_parse(void) {
        static const struct {
                const char *s;
                int r;
                unsigned v;
        } cases[] = {
                { "systemd 252 (252.39-1~deb12u2)", 0, 252 },
                { "systemd 252 (252.39-1~deb12u2)\n+PAM +AUDIT", 0, 252 },
                { "systemd 256~rc3 (256~rc3-1)", 0, 256 },
                { "systemd 255 (255.4-1ubuntu8.4)", 0, 255 },
                { "systemd 257.1", 0, 257 },
                { "252.39-1~deb12u2", 0, 252 },
                { "v256-rc1-12-gabcdef", 0, 256 },
                { "  systemd 240", 0, 240 },
                { "247\n", 0, 247 },
                { "252", 0, 252 },
                { "", -EINVAL, 0 },
                { "systemd", -EINVAL, 0 },
                { "systemd x252", -EINVAL, 0 },
                { "systemd 25x", -EINVAL, 0 },
                { "systemd 0", -EINVAL, 0 },
                { "systemd 1234567", -EINVAL, 0 },
                { "udevadm 252", -EINVAL, 0 },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                unsigned v = 0;

                is_int(units_parse_version(cases[i].s, &v), cases[i].r, "version of '%s'", cases[i].s);
                if (cases[i].r == 0)
                        is_int(v, cases[i].v, "version of '%s': number", cases[i].s);
        }
        is_int(units_parse_version(NULL, NULL), -EINVAL, "version of NULL");
}

static void test_filter(void) {
        static const struct {
                UnitKind kind;
                const char *ifname;
                unsigned version;
                int dropped;
                const char *golden;
        } cases[] = {
                /* v240: no Kind= (v251); IPv6SendRA= under its old name (v234-v246); IPMasquerade boolean (< v248) */
                { UNIT_VETH_HOST, "ve-demo", 240, 1, "veth-host-v240.network" },
                { UNIT_VETH_CONTAINER, "host0", 240, 1, "veth-container-v240.network" },
                /* v230: also no IPv6AcceptRA= (v231), no IPv6PrefixDelegation= (v234), no ConfigureWithoutCarrier=
                 * (v235), no RequiredForOnline= (v236) */
                { UNIT_VETH_HOST, "ve-demo", 230, 5, "veth-host-v230.network" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_ini_free_ IniFile *unit = defaults(cases[i].kind, cases[i].ifname);
                _cleanup_free_ char *text = NULL;

                if (!unit)
                        continue;
                is_int(units_filter(unit, cases[i].version), cases[i].dropped, "filter %s for v%u: dropped",
                       cases[i].ifname, cases[i].version);
                text = render(unit, "demo");
                golden(cases[i].golden, text);
        }

        for (unsigned v = 251; v <= 260; v++) {
                _cleanup_ini_free_ IniFile *unit = defaults(UNIT_VETH_HOST, "ve-demo");
                _cleanup_ini_free_ IniFile *pristine = defaults(UNIT_VETH_HOST, "ve-demo");
                _cleanup_free_ char *a = NULL, *b = NULL;

                if (!unit || !pristine)
                        continue;
                is_int(units_filter(unit, v), 0, "filter for v%u drops nothing", v);
                a = render(unit, "demo");
                b = render(pristine, "demo");
                is_str(a, b, "filter for v%u changes nothing", v);
        }

        {
                _cleanup_ini_free_ IniFile *unit = defaults(UNIT_VETH_HOST, "ve-demo");

                if (unit) {
                        is_int(units_filter(unit, 247), 1, "v247: only Kind= goes");
                        is_values(unit, "Network", "IPMasquerade", "yes", "v247: IPMasquerade=both becomes yes");
                        is_values(unit, "Network", "IPv6SendRA", "yes", "v247: IPv6SendRA= has its name");
                        is_values(unit, "Match", "Kind", "", "v247: no Kind=");
                        is_values(unit, "Match", "Name", "ve-demo", "v247: Name= stays");
                }
        }
        {
                _cleanup_ini_free_ IniFile *unit = defaults(UNIT_VETH_HOST, "ve-demo");

                if (unit) {
                        (void) units_filter(unit, 248);
                        is_values(unit, "Network", "IPMasquerade", "both", "v248: IPMasquerade=both stays");
                }
        }
        {
                _cleanup_ini_free_ IniFile *unit = defaults(UNIT_VETH_HOST, "ve-demo");
                _cleanup_ini_free_ IniFile *o = override("[Network]\nIPMasquerade=ipv6\nFooBar=1\n"
                                                         "[IPv6SendRA]\nRouterLifetimeSec=0\n"
                                                         "[IPv6Prefix]\nPrefix=fd42::/64\n",
                                                         "f.conf");

                if (unit && o) {
                        merge_ok(unit, o, "for filtering");
                        is_int(units_filter(unit, 240), 2, "v240: Kind= and IPMasquerade=ipv6 go");
                        is_values(unit, "Network", "IPMasquerade", "", "v240: IPMasquerade=ipv6 has no old meaning");
                        is_values(unit, "Network", "FooBar", "1", "keys not in the table pass");
                        ok(ini_find_section(unit, "IPv6PrefixDelegation") && !ini_find_section(unit, "IPv6SendRA"),
                           "v240: [IPv6SendRA] is [IPv6PrefixDelegation]");
                        ok(ini_find_section(unit, "IPv6Prefix"), "v240: [IPv6Prefix] stays");
                }
        }
        {
                _cleanup_ini_free_ IniFile *unit = defaults(UNIT_VETH_HOST, "ve-demo");
                _cleanup_ini_free_ IniFile *o = override("[Network]\nIPMasquerade=ipv6\n"
                                                         "[IPv6SendRA]\nRouterLifetimeSec=0\n"
                                                         "[IPv6Prefix]\nPrefix=fd42::/64\n",
                                                         "f.conf");

                if (unit && o) {
                        merge_ok(unit, o, "for filtering");
                        is_int(units_filter(unit, 233), 7,
                               "v233: Kind=, ConfigureWithoutCarrier=, RequiredForOnline=, IPMasquerade=ipv6, IPv6SendRA= and both sections' "
                               "entries go");
                        ok(!ini_find_section(unit, "IPv6PrefixDelegation") && !ini_find_section(unit, "IPv6SendRA") &&
                                   !ini_find_section(unit, "IPv6Prefix"),
                           "v233: sections unknown then are gone");
                        is_values(unit, "Network", "IPv6PrefixDelegation", "", "v233: no IPv6PrefixDelegation= yet");
                }
        }
        {
                _cleanup_ini_free_ IniFile *unit = defaults(UNIT_VETH_HOST, "ve-demo");

                if (unit)
                        is_int(units_filter(unit, 210), -EOPNOTSUPP, "below v211: refused (Name= would go)");
        }
}

static void test_render(void) {
        _cleanup_ini_free_ IniFile *unit = defaults(UNIT_VETH_CONTAINER, "host0");
        _cleanup_free_ char *text = NULL;
        IniSection *s;
        char *t = NULL;

        if (!unit)
                return;
        text = render(unit, "demo");
        ok(text && startswith(text, UNITS_HEADER_PREFIX "demo;"), "render: first line names the machine");
        ok(units_text_is_ours(text, "demo"), "ours: same machine");
        ok(units_text_is_ours(text, NULL), "ours: any machine");
        ok(!units_text_is_ours(text, "dem"), "ours: not a prefix of the name");
        ok(!units_text_is_ours(text, "demo2"), "ours: not another machine");
        ok(!units_text_is_ours("[Match]\nName=ve-demo\n", NULL), "ours: someone else's unit");
        ok(!units_text_is_ours(NULL, NULL), "ours: NULL");
        ok(units_text_is_ours(UNITS_HEADER_PREFIX "demo; removed when it stops.", "demo"),
           "ours: a first line without its newline");

        {
                _cleanup_free_ char *machine = NULL, *port_text = NULL;
                _cleanup_ini_free_ IniFile *port = NULL;
                char ifname[IFNAMSIZ] = "";

                is_int(units_parse_ours(text, &machine, ifname), 0, "parse: our unit");
                is_str(machine, "demo", "parse: the machine from the header");
                is_str(ifname, "host0", "parse: the link from [Match] Name=");
                free(machine);
                machine = NULL;
                if (units_defaults(UNIT_ZONE_PORT, "vb-a-long-name1", "vz-zone", &port) == 0)
                        port_text = render(port, "a-long-name");
                is_int(units_parse_ours(port_text ?: "", &machine, ifname), 0, "parse: a port's unit");
                is_str(ifname, "vb-a-long-name1", "parse: its link, however its file is named");
                free(machine);
                machine = NULL;
                is_int(units_parse_ours("[Match]\nName=ve-demo\n", &machine, ifname), -EINVAL,
                       "parse: someone else's unit is refused");
                is_int(units_parse_ours(UNITS_HEADER_PREFIX "x;\n\n[Network]\nName=ve-x\n", &machine, ifname), -EINVAL,
                       "parse: Name= outside [Match] is no link");
                ok(!machine, "parse: nothing returned after refusals");
        }

        is_int(units_render(unit, "", &t), -EINVAL, "render: empty machine refused");
        is_int(units_render(unit, "a\nb", &t), -EINVAL, "render: machine with a newline refused");
        is_int(units_render(unit, NULL, &t), -EINVAL, "render: NULL machine refused");

        s = ini_find_section(unit, "Network");
        if (s && ini_add_entry(s, "Description", "x\n[Match]", 0) == 0)
                is_int(units_render(unit, "demo", &t), -EINVAL, "render: a value with a newline is refused");
        if (s) {
                (void) ini_section_remove_key(s, "Description");
                if (ini_add_entry(s, "Bad Key", "x", 0) == 0)
                        is_int(units_render(unit, "demo", &t), -EINVAL, "render: a bad key is refused");
        }
        ok(!t, "render: no text after refusals");
}

static void test_resolved(void) {
        _cleanup_free_ char *text = NULL;
        char *t = NULL;

        is_int(units_resolved_dropin("demo", &text), 0, "resolved drop-in");
        golden("resolved-mdns.conf", text);
        ok(units_text_is_ours(text, "demo"), "resolved drop-in: ours");
        is_int(units_resolved_dropin("x\ny", &t), -EINVAL, "resolved drop-in: bad machine refused");
}

static size_t count_entries(const char *dir) {
        DIR *d = opendir(dir);
        size_t n = 0;
        struct dirent *de;

        if (!d)
                return SIZE_MAX;
        while ((de = readdir(d)))
                if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
                        n++;
        closedir(d);
        return n;
}

static void test_files(void) {
        char dir[] = "/tmp/test-units.XXXXXX", path[PATH_MAX];
        _cleanup_close_ int dfd = -EBADF;
        _cleanup_free_ char *got = NULL;
        struct stat st;
        mode_t old_umask;

        if (!mkdtemp(dir)) {
                skip("mkdtemp failed: %m");
                return;
        }
        dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        snprintf(path, sizeof path, "%s/10-ve-demo.network", dir);

        old_umask = umask(077);
        is_int(units_write_atomic(dfd, "10-ve-demo.network", UNITS_HEADER_PREFIX "demo; removed when it stops.\nA\n", (uid_t) -1),
               0, "write: new file");
        umask(old_umask);
        ok(stat(path, &st) == 0 && (st.st_mode & 07777) == 0644, "write: mode 0644 whatever the umask");
        is_int(units_write_atomic(dfd, "10-ve-demo.network", UNITS_HEADER_PREFIX "demo; removed when it stops.\nB\n", (uid_t) -1),
               0, "write: replace");
        is_int(read_full_file(path, &got, NULL), 0, "write: readable");
        is_str(got, UNITS_HEADER_PREFIX "demo; removed when it stops.\nB\n", "write: new content");
        is_int(count_entries(dir), 1, "write: no temporary file left");

        is_int(units_write_atomic(dfd, "../x", "x", (uid_t) -1), -EINVAL, "write: refuse a path");
        is_int(units_write_atomic(dfd, ".hidden", "x", (uid_t) -1), -EINVAL, "write: refuse a hidden name");
        is_int(units_write_atomic(dfd, "", "x", (uid_t) -1), -EINVAL, "write: refuse an empty name");
        is_int(units_write_atomic(dfd, "a\nb", "x", (uid_t) -1), -EINVAL, "write: refuse a name with a newline");
        is_int(units_write_atomic(-EBADF, "x.network", "x", (uid_t) -1), -EBADF, "write: bad dirfd");

        is_int(units_remove_if_ours(dfd, "10-ve-demo.network", "other"), 0, "remove: not for another machine");
        ok(access(path, F_OK) == 0, "remove: another machine's file stays");
        is_int(units_remove_if_ours(dfd, "10-ve-demo.network", "demo"), 1, "remove: ours");
        ok(access(path, F_OK) < 0 && errno == ENOENT, "remove: gone");
        is_int(units_remove_if_ours(dfd, "10-ve-demo.network", "demo"), 0, "remove: absent");

        is_int(units_write_atomic(dfd, "20-user.network", "[Match]\nName=ve-demo\n", (uid_t) -1), 0, "write: someone else's");
        is_int(units_remove_if_ours(dfd, "20-user.network", NULL), 0, "remove: not ours, any machine");
        snprintf(path, sizeof path, "%s/20-user.network", dir);
        ok(access(path, F_OK) == 0, "remove: someone else's file stays");
        (void) unlink(path);

        snprintf(path, sizeof path, "%s/sub", dir);
        ok(mkdir(path, 0755) == 0, "a directory");
        is_int(units_remove_if_ours(dfd, "sub", NULL), 0, "remove: not a regular file");
        (void) rmdir(path);
        (void) rmdir(dir);
}

/* The unit every plain veth without a host override shares: the host defaults, matching our alternative names only,
 * adapted to the networkd version, and recognised by no sweep of per-machine units. */
static void test_shared(void) {
        static const char *const bad[] = { "*", "ve-*", "nixos-nspawn-ve-", "nixos-nspawn-ve-?", "nixos nspawn-*",
                                           "nixos-nspawn-ve-*-*", "!nixos-nspawn-ve-*", "nixos-nspawn/ve-*" };
        _cleanup_free_ char *text = NULL, *old = NULL, *machine = NULL;
        char ifname[IFNAMSIZ] = "";
        char *t = NULL;

        is_int(units_render_shared(UNIT_VETH_HOST, "nixos-nspawn-ve-*", 0, &text), 0, "shared: renders");
        golden("veth-host-shared.network", text);
        ok(text && strstr(text, "\n[Match]\nName=nixos-nspawn-ve-*\nKind=veth\n"), "shared: matches our altnames");
        ok(text && startswith(text, UNITS_SHARED_HEADER), "shared: its own header");
        ok(!units_text_is_ours(text, NULL), "shared: not any one machine's unit (the stale sweep leaves it)");
        is_int(units_parse_ours(text ?: "", &machine, ifname), -EINVAL, "shared: no machine to parse");
        is_int(units_render_shared(UNIT_VETH_HOST, "nixos-nspawn-ve-*", 240, &old), 0, "shared: for networkd 240");
        ok(old && !strstr(old, "Kind=") && strstr(old, "IPMasquerade=yes\n"), "shared: adapted to networkd 240");
        is_int(units_render_shared(UNIT_ZONE_PORT, "nixos-nspawn-vb-*", 0, &t), -EINVAL, "shared: veth host end only");
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                is_int(units_render_shared(UNIT_VETH_HOST, bad[i], 0, &t), -EINVAL, "shared: refuse glob '%s'",
                       bad[i]);
        ok(!t, "shared: nothing returned when refused");
}

int main(void) {
        golden_init();
        test_defaults();
        test_defaults_refused();
        test_static_example();
        test_merge();
        test_merge_twice();
        test_merge_refuses_match();
        test_override_sections();
        test_version_parse();
        test_filter();
        test_render();
        test_shared();
        test_resolved();
        test_files();
        return tap_done();
}
