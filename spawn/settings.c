/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "seccomp-build.h"
#include "settings.h"
#include "strutil.h"
#include "userns.h"

void settings_init(Settings *s) {
        *s = (Settings) {
                .userns = USERNS_PICK,
                .uid_size = UID_RANGE_SIZE,
                .console = CONSOLE_AUTO,
                .notify_ready = true,
        };
}

void settings_done(Settings *s) {
        free(s->machine);
        free(s->hostname);
        strv_freep(&s->environment);
        strv_freep(&s->closure_files);
        strv_freep(&s->store_paths);
        free(s->store_dir);
        free(s->directory);
        free(s->init);
        strv_freep(&s->command);
        for (size_t i = 0; i < s->n_binds; i++) {
                free(s->binds[i].source);
                free(s->binds[i].destination);
        }
        free(s->binds);
        for (size_t i = 0; i < s->n_tmpfs; i++) {
                free(s->tmpfs[i].destination);
                free(s->tmpfs[i].size);
                free(s->tmpfs[i].nr_inodes);
        }
        free(s->tmpfs);
        for (size_t i = 0; i < _TMPFS_LIMIT_MAX; i++) {
                free(s->tmpfs_limits[i].size);
                free(s->tmpfs_limits[i].nr_inodes);
        }
        free(s->network_zone);
        free(s->network_bridge);
        strv_freep(&s->network_macvlan);
        strv_freep(&s->network_interfaces);
        free(s->network_namespace_path);
        free(s->network_namespace_export);
        free(s->veth_host_config);
        free(s->veth_container_config);
        free(s->ports);
        for (size_t i = 0; i < s->n_credentials; i++) {
                free(s->credentials[i].id);
                if (s->credentials[i].value) /* secrets do not linger in freed memory */
                        explicit_bzero(s->credentials[i].value, s->credentials[i].size);
                free(s->credentials[i].value);
                free(s->credentials[i].path);
        }
        free(s->credentials);
        strv_freep(&s->syscall_allow);
        strv_freep(&s->syscall_deny);
        free(s->chown_foreign);
        settings_init(s);
}

/* A machine name is a hostname: dot-separated labels of [a-zA-Z0-9-], no label empty, starting or ending with '-'.
 * It ends up in interface names, unit names, lock file names and cgroup paths, so nothing else may pass. */
bool machine_name_is_valid(const char *name) {
        size_t n = 0, label = 0;

        if (!name || !*name)
                return false;

        for (const char *p = name; *p; p++, n++) {
                if (*p == '.') {
                        if (label == 0 || p[-1] == '-')
                                return false;
                        label = 0;
                        continue;
                }
                if (!isascii(*p) || !(isalnum(*p) || *p == '-'))
                        return false;
                if (*p == '-' && label == 0)
                        return false;
                label++;
                if (label > 63)
                        return false;
        }
        return n <= MACHINE_NAME_MAX && label > 0 && name[n - 1] != '-';
}

bool env_assignment_is_valid(const char *kv) {
        const char *eq = strchr(kv, '=');

        if (!eq || eq == kv)
                return false;
        for (const char *p = kv; p < eq; p++)
                if (!(isascii(*p) && (isalnum(*p) || *p == '_')) || (p == kv && isdigit(*p)))
                        return false;
        return !string_has_cc(eq + 1);
}

/* Absolute, no "." or ".." components, no "//", no trailing slash (except "/"), no control characters. */
bool path_is_normalized_absolute(const char *p) {
        if (!p || p[0] != '/' || string_has_cc(p) || strlen(p) >= PATH_MAX)
                return false;
        if (streq(p, "/"))
                return true;
        for (const char *c = p; *c;) {
                const char *next;
                size_t len;

                c++; /* skip '/' */
                next = strchrnul(c, '/');
                len = next - c;
                if (len == 0 || (len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.'))
                        return false;
                c = next;
        }
        return true;
}

int parse_uid(const char *arg, uint32_t *ret) {
        unsigned long long v;
        int r;

        r = safe_atollu(arg, &v);
        if (r < 0)
                return r;
        if (v >= UINT32_MAX) /* (uid_t) -1 is never a valid ID */
                return -ERANGE;
        *ret = (uint32_t) v;
        return 0;
}

int parse_private_users(const char *arg, UsernsMode *ret_mode, uid_t *ret_base, uint32_t *ret_size) {
        _cleanup_free_ char *base_str = NULL;
        uint32_t base, size = UID_RANGE_SIZE;
        const char *colon;
        bool b;
        int r;

        if (streq(arg, "pick")) {
                *ret_mode = USERNS_PICK;
                return 0;
        }
        /* Words only: "0" is a base (refused below), never a quiet "no", nor "1" a "yes". */
        if (!isdigit((unsigned char) arg[0]) && parse_boolean(arg, &b) >= 0) {
                /* "yes" is nspawn's spelling of pick when no range is given */
                *ret_mode = b ? USERNS_PICK : USERNS_NO;
                return 0;
        }

        colon = strchr(arg, ':');
        base_str = colon ? strndup(arg, colon - arg) : strdup(arg);
        if (!base_str)
                return -ENOMEM;
        r = parse_uid(base_str, &base);
        if (r < 0)
                return r;
        if (colon) {
                r = parse_uid(colon + 1, &size);
                if (r < 0)
                        return r;
        }
        if (size == 0 || (uint64_t) base + size > UINT32_MAX)
                return -ERANGE; /* what can be used at all is uid_range_refusal()'s to say */

        *ret_mode = USERNS_FIXED;
        *ret_base = base;
        *ret_size = size;
        return 0;
}

const char *uid_range_refusal(uint64_t base, uint64_t size) {
        if (base == 0)
                return "base 0 makes the container's root the host's root: that is --private-users=no, and must be "
                       "asked for by that name";
        if (size != UID_RANGE_SIZE)
                /* the lock files that keep two containers' ranges apart name 64K ranges by their base */
                return "only ranges of 65536 IDs are supported";
        if (base % UID_RANGE_SIZE != 0)
                return "the base must be a multiple of 65536";
        if (base + size > FOREIGN_UID_BASE && base < (uint64_t) FOREIGN_UID_BASE + FOREIGN_UID_SIZE)
                return "it overlaps the foreign UID range 2147352576-2147418111 (0x7FFE0000-0x7FFEFFFF), which owns "
                       "the files of writable binds on disk";
        if (base + size > FOREIGN_UID_BASE)
                return "IDs from 2147352576 (0x7FFE0000) up are reserved (the foreign range, and IDs that programs "
                       "taking them as signed get wrong)";
        return NULL;
}

int parse_boolean(const char *arg, bool *ret) {
        static const char *const yes[] = { "1", "yes", "y", "true", "t", "on" };
        static const char *const no[] = { "0", "no", "n", "false", "f", "off" };

        for (size_t i = 0; i < ELEMENTSOF(yes); i++)
                if (strcaseeq(arg, yes[i])) {
                        *ret = true;
                        return 0;
                }
        for (size_t i = 0; i < ELEMENTSOF(no); i++)
                if (strcaseeq(arg, no[i])) {
                        *ret = false;
                        return 0;
                }
        return -EINVAL;
}

int parse_console_mode(const char *arg, ConsoleMode *ret) {
        static const char *const names[] = {
                [CONSOLE_INTERACTIVE] = "interactive",
                [CONSOLE_READ_ONLY] = "read-only",
                [CONSOLE_PASSIVE] = "passive",
                [CONSOLE_PIPE] = "pipe",
        };

        for (size_t i = CONSOLE_INTERACTIVE; i < ELEMENTSOF(names); i++)
                if (streq(arg, names[i])) {
                        *ret = (ConsoleMode) i;
                        return 0;
                }
        return -EINVAL;
}

/* Accepts "SIGTERM", "TERM", "15", "SIGRTMIN+3", "RTMIN+3". */
int parse_signal(const char *arg, int *ret) {
        static const struct {
                const char *name;
                int sig;
        } table[] = {
                { "HUP", SIGHUP },   { "INT", SIGINT },   { "QUIT", SIGQUIT }, { "KILL", SIGKILL },
                { "USR1", SIGUSR1 }, { "USR2", SIGUSR2 }, { "TERM", SIGTERM }, { "CONT", SIGCONT },
                { "STOP", SIGSTOP }, { "PWR", SIGPWR },
        };
        unsigned long long n;
        const char *p = arg;

        if (startswith(p, "SIG"))
                p += 3;

        if (startswith(p, "RTMIN")) {
                unsigned long long off = 0;

                p += 5;
                if (*p == '+' && safe_atollu(p + 1, &off) < 0)
                        return -EINVAL;
                if (*p && *p != '+')
                        return -EINVAL;
                if (off > (unsigned long long) (SIGRTMAX - SIGRTMIN))
                        return -ERANGE;
                *ret = SIGRTMIN + (int) off;
                return 0;
        }

        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (streq(p, table[i].name)) {
                        *ret = table[i].sig;
                        return 0;
                }

        if (p == arg && safe_atollu(arg, &n) >= 0 && n >= 1 && n <= (unsigned long long) SIGRTMAX) {
                *ret = (int) n;
                return 0;
        }
        return -EINVAL;
}

IdmapMode bind_idmap(const BindMount *b, bool userns) {
        if (b->idmap != IDMAP_AUTO)
                return b->idmap;
        if (!userns)
                return IDMAP_NO;
        return b->read_only ? IDMAP_YES : IDMAP_FOREIGN;
}

/* SRC[:DST[:OPTS]] with OPTS a comma list of foreign, idmap, noidmap, rbind, norbind. A colon inside a path cannot be
 * written; nspawn has the same limit. */
int parse_bind_spec(const char *spec, bool read_only, BindMount *ret) {
        _cleanup_strv_free_ char **parts = NULL;
        BindMount b = { .read_only = read_only, .recursive = true, .idmap = IDMAP_AUTO };
        size_t n;
        int r;

        r = split(spec, ':', &parts);
        if (r < 0)
                return r;
        n = (size_t) r;
        if (n < 1 || n > 3)
                return -EINVAL;
        if (!path_is_normalized_absolute(parts[0]))
                return -EINVAL;
        if (n >= 2 && !isempty(parts[1]) && !path_is_normalized_absolute(parts[1]))
                return -EINVAL;

        if (n == 3) {
                _cleanup_strv_free_ char **opts = NULL;

                r = split(parts[2], ',', &opts);
                if (r < 0)
                        return r;
                for (char **o = opts; *o; o++) {
                        if (streq(*o, "idmap"))
                                b.idmap = IDMAP_YES;
                        else if (streq(*o, "foreign"))
                                b.idmap = IDMAP_FOREIGN;
                        else if (streq(*o, "noidmap"))
                                b.idmap = IDMAP_NO;
                        else if (streq(*o, "rbind"))
                                b.recursive = true;
                        else if (streq(*o, "norbind"))
                                b.recursive = false;
                        else
                                return -EINVAL;
                }
        }

        if (streq(n >= 2 && !isempty(parts[1]) ? parts[1] : parts[0], "/"))
                return -EINVAL; /* the root is ours */

        b.source = strdup(parts[0]);
        b.destination = strdup(n >= 2 && !isempty(parts[1]) ? parts[1] : parts[0]);
        if (!b.source || !b.destination) {
                free(b.source);
                free(b.destination);
                return -ENOMEM;
        }
        *ret = b;
        return 0;
}

static int parse_tmpfs_mode(const char *v, mode_t *ret) {
        char *end;
        unsigned long m;

        errno = 0;
        m = strtoul(v, &end, 8);
        if (errno != 0 || end == v || *end || m > 07777 || !isdigit((unsigned char) v[0]))
                return -EINVAL;
        *ret = (mode_t) m;
        return 0;
}

/* N with a k, m or g suffix (either case), or with percent a share of RAM (1-100%): as tmpfs takes it. 0 is
 * tmpfs' "no limit", which is never what a size= meant: refused. */
bool tmpfs_amount_is_valid(const char *v, bool percent) {
        size_t n = strspn(v, "0123456789");
        unsigned long long x;
        _cleanup_free_ char *digits = strndup(v, n);

        if (!digits || n == 0 || n > 18 || safe_atollu(digits, &x) < 0 || x == 0)
                return false;
        if (v[n] == 0)
                return true;
        if (v[n + 1] != 0)
                return false;
        if (percent && v[n] == '%')
                return x <= 100;
        return strchr("kKmMgG", v[n]) != NULL;
}

/* DST[:MODE] (MODE octal, our old form) or DST:OPTIONS as systemd-nspawn takes them: comma-separated mode=OCTAL,
 * size=N[k|m|g|%], nr_inodes=N[k|m|g]. Other tmpfs options are refused rather than passed on: uid=/gid= would
 * give the files to host IDs (ours are the container's root), and the mount flags are ours to choose. */
int parse_tmpfs_spec(const char *spec, TmpfsMount *ret) {
        _cleanup_free_ char *dst = NULL, *opts = NULL, *size = NULL, *nr_inodes = NULL;
        const char *colon = strchr(spec, ':');
        mode_t mode = 0755;

        dst = colon ? strndup(spec, colon - spec) : strdup(spec);
        if (!dst)
                return -ENOMEM;
        if (!path_is_normalized_absolute(dst) || streq(dst, "/"))
                return -EINVAL;
        if (colon && !strchr(colon + 1, '=')) {
                if (parse_tmpfs_mode(colon + 1, &mode) < 0)
                        return -EINVAL;
        } else if (colon) {
                opts = strdup(colon + 1);
                if (!opts)
                        return -ENOMEM;
                for (char *o = opts, *next; o; o = next) {
                        char *v = strchr(o, '=');

                        next = strchr(o, ',');
                        if (next)
                                *next++ = 0;
                        if (!v)
                                return -EINVAL;
                        *v++ = 0;
                        if (streq(o, "mode")) {
                                if (parse_tmpfs_mode(v, &mode) < 0)
                                        return -EINVAL;
                        } else if (streq(o, "size") || streq(o, "nr_inodes")) {
                                bool is_size = streq(o, "size");

                                if (!tmpfs_amount_is_valid(v, is_size))
                                        return -EINVAL;
                                if (free_and_strdup(is_size ? &size : &nr_inodes, v) < 0)
                                        return -ENOMEM;
                        } else
                                return -EINVAL;
                }
        }
        *ret = (TmpfsMount) { .destination = TAKE_PTR(dst), .mode = mode, .size = TAKE_PTR(size),
                              .nr_inodes = TAKE_PTR(nr_inodes) };
        return 0;
}

int settings_add_string(char ***list, const char *value) {
        size_t n = strv_length(*list);
        char **l;

        l = reallocarray(*list, n + 2, sizeof(char *));
        if (!l)
                return -ENOMEM;
        *list = l;
        l[n] = strdup(value);
        if (!l[n])
                return -ENOMEM;
        l[n + 1] = NULL;
        return 0;
}

int settings_add_bind(Settings *s, const char *spec, bool read_only) {
        BindMount b, *l;
        int r;

        r = parse_bind_spec(spec, read_only, &b);
        if (r < 0)
                return r;
        l = reallocarray(s->binds, s->n_binds + 1, sizeof(BindMount));
        if (!l) {
                free(b.source);
                free(b.destination);
                return -ENOMEM;
        }
        s->binds = l;
        s->binds[s->n_binds++] = b;
        return 0;
}

int settings_add_tmpfs(Settings *s, const char *spec) {
        TmpfsMount t, *l;
        int r;

        r = parse_tmpfs_spec(spec, &t);
        if (r < 0)
                return r;
        l = reallocarray(s->tmpfs, s->n_tmpfs + 1, sizeof(TmpfsMount));
        if (!l) {
                free(t.destination);
                free(t.size);
                free(t.nr_inodes);
                return -ENOMEM;
        }
        s->tmpfs = l;
        s->tmpfs[s->n_tmpfs++] = t;
        return 0;
}

int settings_add_port(Settings *s, const char *spec) {
        PortForward f, *l;
        int r;

        r = port_forward_parse(spec, &f);
        if (r < 0)
                return r;
        l = reallocarray(s->ports, s->n_ports + 1, sizeof(PortForward));
        if (!l)
                return -ENOMEM;
        s->ports = l;
        s->ports[s->n_ports++] = f;
        return 0;
}

/* A mount at a or at b would cover or sit inside the other. */
static bool path_overlaps(const char *a, const char *b) {
        return path_startswith(a, b) || path_startswith(b, a);
}

int parse_register_mode(const char *arg, RegisterMode *ret) {
        bool b;

        if (streq(arg, "auto")) {
                *ret = REGISTER_AUTO;
                return 0;
        }
        if (parse_boolean(arg, &b) < 0)
                return -EINVAL;
        *ret = b ? REGISTER_YES : REGISTER_NO;
        return 0;
}

int parse_link_journal(const char *arg, LinkJournal *ret_mode, bool *ret_try) {
        static const struct {
                const char *name;
                LinkJournal mode;
                bool try;
        } table[] = {
                { "no", LINK_JOURNAL_NO, false },        { "auto", LINK_JOURNAL_AUTO, true },
                { "host", LINK_JOURNAL_HOST, false },    { "try-host", LINK_JOURNAL_HOST, true },
                { "guest", LINK_JOURNAL_GUEST, false },  { "try-guest", LINK_JOURNAL_GUEST, true },
        };

        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (streq(arg, table[i].name)) {
                        *ret_mode = table[i].mode;
                        *ret_try = table[i].try;
                        return 0;
                }
        return -EINVAL;
}

/* A credential ID becomes a file name in the container: printable, no '/', not "." or "..". */
bool credential_id_is_valid(const char *id) {
        size_t n = strlen(id);

        if (n == 0 || n > 255 || streq(id, ".") || streq(id, "..") || strchr(id, '/') || string_has_cc(id))
                return false;
        return true;
}

int settings_add_credential(Settings *s, const char *spec, bool load) {
        const char *colon = strchr(spec, ':');
        Credential c = {}, *l;

        if (!colon)
                return -EINVAL;
        c.id = strndup(spec, colon - spec);
        if (!c.id)
                return -ENOMEM;
        if (!credential_id_is_valid(c.id))
                goto invalid;
        for (size_t i = 0; i < s->n_credentials; i++)
                if (streq(s->credentials[i].id, c.id))
                        goto invalid; /* given twice */
        if (load) {
                if (!path_is_normalized_absolute(colon + 1))
                        goto invalid;
                c.path = strdup(colon + 1);
        } else {
                c.size = strlen(colon + 1);
                if (c.size > CREDENTIAL_SIZE_MAX) {
                        free(c.id);
                        return -E2BIG;
                }
                c.value = strdup(colon + 1);
        }
        if (!c.path && !c.value) {
                free(c.id);
                return -ENOMEM;
        }
        l = reallocarray(s->credentials, s->n_credentials + 1, sizeof(Credential));
        if (!l) {
                free(c.id);
                free(c.value);
                free(c.path);
                return -ENOMEM;
        }
        s->credentials = l;
        s->credentials[s->n_credentials++] = c;
        return 0;
invalid:
        free(c.id);
        return -EINVAL;
}

static int default_machine_name(const Settings *s, char **ret) {
        _cleanup_free_ char *name = NULL;

        if (s->directory) {
                const char *base = strrchr(s->directory, '/');

                name = strdup(base && base[1] ? base + 1 : s->directory);
                if (!name)
                        return -ENOMEM;
                /* keep what a hostname may hold: "debian_12" becomes "debian-12" */
                for (char *p = name; *p; p++)
                        if (!isascii(*p) || !(isalnum(*p) || *p == '-' || *p == '.'))
                                *p = '-';
        }
        if (!name || !machine_name_is_valid(name)) {
                free(name);
                name = strdup("nixos");
                if (!name)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(name);
        return 0;
}

#define invalid(...) error_printf(ret_error, -EINVAL, __VA_ARGS__)

static int verify_names(Settings *s, char **ret_error) {
        int r;

        if (!s->machine) {
                r = default_machine_name(s, &s->machine);
                if (r < 0)
                        return r;
        }
        if (!machine_name_is_valid(s->machine))
                return invalid("Invalid machine name '%s': must be a hostname of at most %d characters.", s->machine,
                               MACHINE_NAME_MAX);
        if (!s->hostname) {
                s->hostname = strdup(s->machine);
                if (!s->hostname)
                        return -ENOMEM;
        }
        if (!s->store_dir) {
                s->store_dir = strdup("/nix/store");
                if (!s->store_dir)
                        return -ENOMEM;
        }
        return 0;
}

/* -D, --init or a command: something to run */
static int verify_image(Settings *s, char **ret_error) {
        if (s->directory && !path_is_normalized_absolute(s->directory))
                return invalid("Invalid --directory '%s': not a normalized absolute path.", s->directory);
        if (s->init && s->command)
                return invalid("--init='%s' and a command after '--' exclude each other.", s->init);
        if (s->init && !path_is_normalized_absolute(s->init))
                return invalid("Invalid --init '%s': not a normalized absolute path.", s->init);
        if (!s->init && !s->command) {
                if (!s->directory)
                        return invalid("Nothing to run: give --init=PATH (a NixOS toplevel's init), -D DIR, or a "
                                       "command after '--'.");
                s->init = strdup("/sbin/init");
                if (!s->init)
                        return -ENOMEM;
        }
        return 0;
}

static int verify_mounts(const Settings *s, char **ret_error) {
        /* With a closure the store is ours to fill; without one (a plain -D image) it may be bound like any path */
        bool has_closure = s->closure_files || s->store_paths;

        for (size_t i = 0; i < s->n_binds; i++) {
                BindMount *b = &s->binds[i];

                if ((b->idmap == IDMAP_YES || b->idmap == IDMAP_FOREIGN) && s->userns == USERNS_NO)
                        return invalid("Cannot bind '%s' with %s: -U no gives no user namespace to map to.",
                                       b->source, b->idmap == IDMAP_YES ? "idmap" : "foreign");
                if (has_closure && path_overlaps(b->destination, s->store_dir))
                        return invalid("Cannot bind over '%s': the store holds only the closure.", b->destination);
        }
        for (size_t i = 0; i < s->n_tmpfs; i++)
                if (has_closure && path_overlaps(s->tmpfs[i].destination, s->store_dir))
                        return invalid("Cannot mount a tmpfs over '%s': the store holds only the closure.",
                                       s->tmpfs[i].destination);
        return 0;
}

static int verify_network(Settings *s, char **ret_error) {
        if (s->network_zone) {
                /* "vz-" + ZONE must be an interface name, before the hashing of long names kicks in */
                if (!machine_name_is_valid(s->network_zone) || strchr(s->network_zone, '.'))
                        return invalid("Invalid --network-zone '%s': letters, digits and '-' only.", s->network_zone);
        }
        for (char **i = s->network_macvlan; i && *i; i++)
                if (!ifname_is_valid(*i))
                        return invalid("Invalid --network-macvlan '%s': not an interface name.", *i);
        for (char **i = s->network_interfaces; i && *i; i++)
                if (!ifname_is_valid(*i))
                        return invalid("Invalid --network-interface '%s': not an interface name.", *i);
        if (s->network_bridge) {
                if (!ifname_is_valid(s->network_bridge))
                        return invalid("Invalid --network-bridge '%s': not an interface name.", s->network_bridge);
                /* both would put the host end into a bridge: one port, one bridge */
                if (s->network_zone)
                        return invalid("--network-bridge='%s' and --network-zone='%s' exclude each other.",
                                       s->network_bridge, s->network_zone);
                /* the bridge is the host's, configured by whoever made it; only its port is ours */
                if (s->veth_host_config)
                        return invalid("--network-veth-host-config='%s' does not apply to --network-bridge: the "
                                       "bridge is the host's to configure.", s->veth_host_config);
        }
        if (s->network_veth || s->network_zone || s->network_bridge || s->network_macvlan || s->network_interfaces)
                s->private_network = true;
        if (s->network_namespace_path) {
                if (!path_is_normalized_absolute(s->network_namespace_path))
                        return invalid("Invalid --network-namespace-path '%s': not a normalized absolute path.",
                                       s->network_namespace_path);
                if (s->private_network)
                        return invalid("--network-namespace-path='%s' joins a namespace; it excludes "
                                       "--private-network and the options that make links.",
                                       s->network_namespace_path);
        }
        if (s->network_namespace_export) {
                if (isempty(s->network_namespace_export)) {
                        free(s->network_namespace_export);
                        s->network_namespace_export = strprintf("/run/netns/%s", s->machine);
                        if (!s->network_namespace_export)
                                return -ENOMEM;
                }
                if (!s->private_network)
                        return invalid("--network-namespace-export='%s' needs a network namespace of the container's "
                                       "own (--private-network, --network-veth…).",
                                       s->network_namespace_export);
                if (!path_is_normalized_absolute(s->network_namespace_export))
                        return invalid("Invalid --network-namespace-export '%s': not a normalized absolute path.",
                                       s->network_namespace_export);
        }
        if (s->n_ports > 0 && !s->network_veth && !s->network_zone && !s->network_bridge)
                return invalid("--port=%s needs a veth to forward to: --network-veth, --network-zone or "
                               "--network-bridge.", s->ports[0].spec);
        for (size_t i = 0; i < s->n_ports; i++)
                for (size_t j = 0; j < i; j++)
                        if (port_forwards_overlap(&s->ports[j], &s->ports[i]))
                                return invalid("--port=%s and --port=%s forward the same host port.",
                                               s->ports[j].spec, s->ports[i].spec);
        if ((s->veth_host_config || s->veth_container_config) && !s->network_veth && !s->network_zone &&
            !s->network_bridge)
                return invalid("--network-veth-*-config='%s' needs --network-veth, --network-zone or --network-bridge.",
                               s->veth_host_config ?: s->veth_container_config);
        return 0;
}

int settings_verify(Settings *s, bool stdin_is_tty, char **ret_error) {
        int r;

        r = verify_names(s, ret_error);
        if (r >= 0)
                r = verify_image(s, ret_error);
        if (r >= 0)
                r = verify_mounts(s, ret_error);
        if (r >= 0)
                r = verify_network(s, ret_error);
        if (r < 0)
                return r;

        if (s->console == CONSOLE_AUTO)
                s->console = stdin_is_tty ? CONSOLE_INTERACTIVE : CONSOLE_READ_ONLY;

        /* An init understands SIGRTMIN+3 as "power off"; an arbitrary command may not, and as PID 1 it ignores
         * signals it has no handler for, so nothing short of SIGKILL stops it reliably. (nspawn does the same.) */
        if (s->kill_signal == 0)
                s->kill_signal = s->command ? SIGKILL : SIGRTMIN + 3;
        return 0;
}

int settings_add_syscall_filter(Settings *s, const char *arg, const char **ret_bad, size_t *ret_bad_len) {
        bool deny = arg[0] == '~';
        const char *p = arg + deny;
        size_t items = 0;
        int r;

        /* Check the whole list before taking any of it. */
        for (const char *q = p + strspn(p, " "); *q; q += strspn(q, " ")) {
                size_t n = strcspn(q, " ");
                char item[64];

                if (n >= sizeof item) {
                        *ret_bad = q, *ret_bad_len = n;
                        return -EINVAL;
                }
                memcpy(item, q, n);
                item[n] = 0;
                if (!syscall_filter_item_is_valid(item)) {
                        *ret_bad = q, *ret_bad_len = n;
                        return -EINVAL;
                }
                items++;
                q += n;
        }
        if (items == 0) {
                *ret_bad = arg, *ret_bad_len = strlen(arg);
                return -EINVAL;
        }
        for (const char *q = p + strspn(p, " "); *q; q += strspn(q, " ")) {
                size_t n = strcspn(q, " ");
                _cleanup_free_ char *item = strndup(q, n);

                if (!item)
                        return -ENOMEM;
                r = settings_add_string(deny ? &s->syscall_deny : &s->syscall_allow, item);
                if (r < 0)
                        return r;
                q += n;
        }
        return 0;
}
