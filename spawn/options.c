/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <string.h>

#include "caps.h"
#include "id128.h"
#include "netconf.h"
#include "resource-limits.h"
#include "options.h"
#include "strutil.h"
#include "units.h"

#define invalid(...) error_printf(ret_error, -EINVAL, __VA_ARGS__)

/* ---- one parse function per kind of value ---- */

static int parse_quiet(const Option *o, const char *v, Settings *s, char **ret_error) {
        s->quiet = true;
        return 0;
}

static int parse_machine(const Option *o, const char *v, Settings *s, char **ret_error) {
        if (!machine_name_is_valid(v))
                return invalid("Invalid machine name '%s': must be a hostname of at most %d characters.", v,
                               MACHINE_NAME_MAX);
        return free_and_strdup(&s->machine, v);
}

static int parse_hostname(const Option *o, const char *v, Settings *s, char **ret_error) {
        if (!machine_name_is_valid(v))
                return invalid("Invalid hostname '%s'.", v);
        return free_and_strdup(&s->hostname, v);
}

static int parse_uuid(const Option *o, const char *v, Settings *s, char **ret_error) {
        if (id128_from_string(v, &s->uuid) < 0 || sd_id128_is_null(s->uuid))
                return invalid("Invalid --uuid '%s'.", v);
        return 0;
}

static int parse_setenv(const Option *o, const char *v, Settings *s, char **ret_error) {
        if (!env_assignment_is_valid(v))
                return invalid("Invalid --setenv '%s': expected NAME=VALUE.", v);
        return settings_add_string(&s->environment, v);
}

/* Where a string option goes: its field in Settings (a single value, the last one given wins) or list. */
static char **string_field(OptionId id, Settings *s) {
        switch (id) {
        case OPT_DIRECTORY: return &s->directory;
        case OPT_INIT: return &s->init;
        case OPT_NETWORK_ZONE: return &s->network_zone;
        case OPT_NETWORK_BRIDGE: return &s->network_bridge;
        case OPT_NETWORK_NAMESPACE_PATH: return &s->network_namespace_path;
        case OPT_VETH_HOST_CONFIG: return &s->veth_host_config;
        case OPT_VETH_CONTAINER_CONFIG: return &s->veth_container_config;
        default: return NULL;
        }
}

static char ***list_field(OptionId id, Settings *s) {
        switch (id) {
        case OPT_CLOSURE: return &s->closure_files;
        case OPT_STORE_PATH: return &s->store_paths;
        case OPT_NETWORK_MACVLAN: return &s->network_macvlan;
        case OPT_NETWORK_INTERFACE: return &s->network_interfaces;
        default: return NULL;
        }
}

/* The value is checked as a whole by settings_verify() (it needs the other options: a default, an exclusion). */
static int parse_string(const Option *o, const char *v, Settings *s, char **ret_error) {
        return free_and_strdup(string_field(o->id, s), v);
}

static int parse_list(const Option *o, const char *v, Settings *s, char **ret_error) {
        return settings_add_string(list_field(o->id, s), v);
}

static int parse_absolute_path(const Option *o, const char *v, Settings *s, char **ret_error) {
        if (!path_is_normalized_absolute(v) || streq(v, "/"))
                return invalid("Invalid --%s '%s': not a normalized absolute path below '/'.", o->name, v);
        return free_and_strdup(o->id == OPT_STORE_DIR ? &s->store_dir : &s->chown_foreign, v);
}

static int parse_netns_export(const Option *o, const char *v, Settings *s, char **ret_error) {
        /* the default needs the machine name, known only after parsing: "" stands for it */
        return free_and_strdup(&s->network_namespace_export, v ?: "");
}

static int parse_userns_pick(const Option *o, const char *v, Settings *s, char **ret_error) {
        s->userns = USERNS_PICK;
        return 0;
}

static int parse_private_users_option(const Option *o, const char *v, Settings *s, char **ret_error) {
        const char *why;
        int r;

        r = parse_private_users(v ?: "pick", &s->userns, &s->uid_base, &s->uid_size);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return invalid("Invalid --private-users '%s': expected pick, no or BASE[:SIZE].", v);
        why = s->userns == USERNS_FIXED ? uid_range_refusal(s->uid_base, s->uid_size) : NULL;
        if (why)
                return invalid("Invalid --private-users '%s': %s.", v, why);
        return 0;
}

static int parse_bind(const Option *o, const char *v, Settings *s, char **ret_error) {
        int r = settings_add_bind(s, v, o->id == OPT_BIND_RO);

        if (r == -EINVAL)
                return invalid("Invalid --%s '%s': expected SRC[:DST[:OPTS]] with absolute paths and OPTS of "
                               "foreign, idmap, noidmap, rbind, norbind.", o->name, v);
        return r;
}

static int parse_tmpfs(const Option *o, const char *v, Settings *s, char **ret_error) {
        int r = settings_add_tmpfs(s, v);

        if (r == -EINVAL)
                return invalid("Invalid --tmpfs '%s': expected DST[:MODE] (octal) or DST:OPTIONS of mode=OCTAL, "
                               "size=N[k|m|g|%%] and nr_inodes=N[k|m|g].", v);
        return r;
}

static int parse_tmpfs_limits(const Option *o, const char *v, Settings *s, char **ret_error) {
        int r = settings_set_tmpfs_limits(s, v);

        if (r == -EINVAL)
                return invalid("Invalid --tmpfs-limits '%s': expected PATH:OPTIONS with PATH one of /, /run, /tmp, "
                               "/dev, /dev/shm and OPTIONS of size=N[k|m|g|%%] and nr_inodes=N[k|m|g].", v);
        return r;
}

static int parse_port(const Option *o, const char *v, Settings *s, char **ret_error) {
        int r = settings_add_port(s, v);

        if (r == -EADDRNOTAVAIL)
                return invalid("Invalid --port '%s': a loopback address is never forwarded (DNAT cannot reach the "
                               "container from it); give another address, or none for all of them.", v);
        if (r == -EINVAL)
                return invalid("Invalid --port '%s': expected [tcp:|udp:][ADDRESS:]HOSTPORT[:CONTAINERPORT] with "
                               "ports 1-65535 and a dotted IPv4 or [IPv6] ADDRESS.", v);
        return r;
}

static int parse_tasks_max_option(const Option *o, const char *v, Settings *s, char **ret_error) {
        if (parse_tasks_max(v, &s->tasks_max) < 0)
                return invalid("Invalid --tasks-max '%s': expected a number of tasks (at least 1) or infinity.", v);
        s->tasks_max_set = true;
        return 0;
}

static int parse_flag(const Option *o, const char *v, Settings *s, char **ret_error) {
        switch (o->id) {
        case OPT_PRIVATE_NETWORK:
                s->private_network = true;
                break;
        case OPT_NETWORK_VETH:
                s->network_veth = true;
                break;
        case OPT_PIPE:
                s->console = CONSOLE_PIPE;
                break;
        default:
                return -EINVAL;
        }
        return 0;
}

static int parse_console(const Option *o, const char *v, Settings *s, char **ret_error) {
        if (parse_console_mode(v, &s->console) < 0)
                return invalid("Invalid --console '%s': expected interactive, read-only, passive or pipe.", v);
        return 0;
}

static int parse_kill_signal(const Option *o, const char *v, Settings *s, char **ret_error) {
        if (parse_signal(v, &s->kill_signal) < 0)
                return invalid("Invalid --kill-signal '%s'.", v);
        return 0;
}

static int parse_notify_ready(const Option *o, const char *v, Settings *s, char **ret_error) {
        if (parse_boolean(v, &s->notify_ready) < 0)
                return invalid("Invalid --notify-ready '%s': expected yes or no.", v);
        return 0;
}

static int parse_register(const Option *o, const char *v, Settings *s, char **ret_error) {
        if (parse_register_mode(v, &s->register_mode) < 0)
                return invalid("Invalid --register '%s': expected auto, yes or no.", v);
        return 0;
}

static int parse_link_journal_option(const Option *o, const char *v, Settings *s, char **ret_error) {
        if (parse_link_journal(v, &s->link_journal, &s->link_journal_try) < 0)
                return invalid("Invalid --link-journal '%s': expected no, host, try-host, guest, try-guest or auto.",
                               v);
        return 0;
}

static int parse_credential(const Option *o, const char *v, Settings *s, char **ret_error) {
        bool load = o->id == OPT_LOAD_CREDENTIAL;
        int id_len = (int) strcspn(v, ":");
        int r;

        r = settings_add_credential(s, v, load);
        /* the value may be a secret: name only the ID part */
        if (r == -E2BIG)
                return invalid("Invalid --%s for '%.*s': the value is larger than %u bytes.", o->name, id_len, v,
                               CREDENTIAL_SIZE_MAX);
        if (r == -EINVAL)
                return invalid("Invalid --%s for '%.*s': expected ID:%s with a unique ID without '/' or control "
                               "characters%s.", o->name, id_len, v, load ? "PATH" : "VALUE",
                               load ? " and an absolute PATH" : "");
        return r;
}

static int parse_capabilities(const Option *o, const char *v, Settings *s, char **ret_error) {
        const char *bad = NULL;
        size_t bad_len = 0;
        uint64_t m;

        if (parse_capability_list(v, &m, &bad, &bad_len) < 0)
                return invalid("Invalid --%s '%s': '%.*s' is not a capability name (such as CAP_SYS_TIME).", o->name,
                               v, (int) bad_len, bad);
        if (o->id == OPT_CAPABILITY)
                s->capability_add |= m;
        else
                s->capability_drop |= m;
        return 0;
}

static int parse_syscall_filter(const Option *o, const char *v, Settings *s, char **ret_error) {
        const char *bad = NULL;
        size_t bad_len = 0;
        int r;

        r = settings_add_syscall_filter(s, v, &bad, &bad_len);
        if (r == -EINVAL)
                return invalid("Invalid --system-call-filter '%s': '%.*s' is neither a system call nor a @group.", v,
                               (int) bad_len, bad);
        return r;
}

/* ---- the table ---- */

#define S OPTION_STORABLE
const Option option_table[] = {
        { OPT_HELP, "help", 'h', OPTION_ARG_NONE, NULL, NULL, 0, NULL, "Show this help" },
        { OPT_VERSION, "version", 0, OPTION_ARG_NONE, NULL, NULL, 0, NULL, "Show the version" },
        { OPT_QUIET, "quiet", 'q', OPTION_ARG_NONE, NULL, parse_quiet, 0, NULL, "Do not show status messages" },
        { OPT_CHECK, "check", 0, OPTION_ARG_NONE, NULL, NULL, 0, NULL,
          "Check the other options as a start would, without\nthe host's files: silent and 0 when valid" },

        { OPT_CLOSURE, "closure", 0, OPTION_ARG_REQUIRED, "FILE", parse_list, OPTION_SYSTEM, "Image",
          "Mount the store paths listed in FILE (closureInfo's\nstore-paths or nix-store -qR output); repeatable" },
        { OPT_STORE_PATH, "store-path", 0, OPTION_ARG_REQUIRED, "PATH", parse_list, OPTION_SYSTEM, NULL,
          "Mount PATH and its closure (asks Nix); repeatable" },
        { OPT_DIRECTORY, "directory", 'D', OPTION_ARG_REQUIRED, "DIR", parse_string, OPTION_ONCE, NULL,
          "Use DIR read-only as the lower layer of the root" },
        { OPT_INIT, "init", 0, OPTION_ARG_REQUIRED, "PATH", parse_string, OPTION_SYSTEM | OPTION_ONCE, NULL,
          "Run PATH as PID 1 (NixOS: TOPLEVEL/init);\ndefault /sbin/init with -D" },

        { OPT_MACHINE, "machine", 'M', OPTION_ARG_REQUIRED, "NAME", parse_machine, OPTION_ONCE, "Execution",
          "Machine name (a hostname, at most 64 characters)" },
        { OPT_HOSTNAME, "hostname", 0, OPTION_ARG_REQUIRED, "NAME", parse_hostname, S, NULL,
          "Hostname inside, default the machine name" },
        { OPT_UUID, "uuid", 0, OPTION_ARG_REQUIRED, "UUID", parse_uuid, S, NULL,
          "Machine UUID, default derived from the name and\nthe host's machine ID (the same at every start)" },
        { OPT_SETENV, "setenv", 'E', OPTION_ARG_REQUIRED, "NAME=VALUE", parse_setenv, S, NULL,
          "Pass an environment variable to PID 1" },
        { OPT_KILL_SIGNAL, "kill-signal", 0, OPTION_ARG_REQUIRED, "SIGNAL", parse_kill_signal, S, NULL,
          "Signal to stop PID 1 with (default SIGRTMIN+3 for an\ninit, SIGKILL for a command)" },
        { OPT_NOTIFY_READY, "notify-ready", 0, OPTION_ARG_REQUIRED, "BOOL", parse_notify_ready, S, NULL,
          "Wait for PID 1's READY=1 before reporting ready" },
        { OPT_REGISTER, "register", 0, OPTION_ARG_REQUIRED, "auto|yes|no", parse_register, S, NULL,
          "Register with systemd-machined (auto: when it answers)" },
        { OPT_LINK_JOURNAL, "link-journal", 0, OPTION_ARG_REQUIRED, "MODE", parse_link_journal_option, S, NULL,
          "The container's journal on the host: no, host,\ntry-host (host when /var/log/journal exists),\n"
          "guest, try-guest, auto (host when the host has\n/var/log/journal/ID already; default)" },
        { OPT_SET_CREDENTIAL, "set-credential", 0, OPTION_ARG_REQUIRED, "ID:VALUE", parse_credential, S, NULL,
          "Pass a credential to the container's services" },
        { OPT_LOAD_CREDENTIAL, "load-credential", 0, OPTION_ARG_REQUIRED, "ID:PATH", parse_credential, S, NULL,
          "The same, read from PATH at start" },

        { OPT_USERNS_PICK, NULL, 'U', OPTION_ARG_NONE, NULL, parse_userns_pick, S, "User namespace",
          "Same as --private-users=pick" },
        { OPT_PRIVATE_USERS, "private-users", 0, OPTION_ARG_OPTIONAL, "pick|no|BASE[:SIZE]",
          parse_private_users_option, S, NULL, "Map container UIDs 0..SIZE-1 to BASE.. (default pick)" },

        { OPT_BIND, "bind", 0, OPTION_ARG_REQUIRED, "SRC[:DST[:OPTS]]", parse_bind, S, "Mounts",
          "Bind SRC read-write at DST; OPTS: foreign (default\nwith -U: owned by the foreign UID range on disk),\n"
          "idmap (identity: root inside writes host-root\nfiles), noidmap, rbind (default), norbind" },
        { OPT_BIND_RO, "bind-ro", 0, OPTION_ARG_REQUIRED, "SRC[:DST[:OPTS]]", parse_bind, S, NULL,
          "The same, read-only (default idmap with -U)" },
        { OPT_CHOWN_FOREIGN, "chown-foreign", 0, OPTION_ARG_REQUIRED, "DIR", parse_absolute_path, 0, NULL,
          "Move DIR's files from identity-mapped owners\n(0-65535) to the foreign range, and exit" },
        { OPT_TMPFS, "tmpfs", 0, OPTION_ARG_REQUIRED, "DST[:OPTIONS]", parse_tmpfs, S, NULL,
          "Mount an empty tmpfs at DST; OPTIONS: an octal mode,\nor mode=, size=N[k|m|g|%] and nr_inodes=N[k|m|g]\n"
          "(comma-separated, as systemd-nspawn takes them)" },
        { OPT_TMPFS_LIMITS, "tmpfs-limits", 0, OPTION_ARG_REQUIRED, "PATH:OPTIONS", parse_tmpfs_limits, S, NULL,
          "Size and inodes of the container's own tmpfs at PATH\n(/, /run, /tmp, /dev, /dev/shm): size=N[k|m|g|%],\n"
          "nr_inodes=N[k|m|g]" },
        { OPT_TASKS_MAX, "tasks-max", 0, OPTION_ARG_REQUIRED, "N|infinity", parse_tasks_max_option, S, "Limits",
          "At most N processes and threads in the container\n(default 16384 without a unit; under one its\n"
          "TasksMax=)" },

        { OPT_PRIVATE_NETWORK, "private-network", 0, OPTION_ARG_NONE, NULL, parse_flag, S, "Networking",
          "A network namespace of its own (only loopback)" },
        { OPT_NETWORK_VETH, "network-veth", 'n', OPTION_ARG_NONE, NULL, parse_flag, S, NULL,
          "A veth pair: ve-NAME on the host, host0 inside" },
        { OPT_NETWORK_ZONE, "network-zone", 0, OPTION_ARG_REQUIRED, "ZONE", parse_string, S, NULL,
          "Its host end in bridge vz-ZONE (as vb-NAME)" },
        { OPT_NETWORK_BRIDGE, "network-bridge", 0, OPTION_ARG_REQUIRED, "BRIDGE", parse_string, S, NULL,
          "Its host end in the existing host bridge BRIDGE\n(as vb-NAME)" },
        { OPT_NETWORK_MACVLAN, "network-macvlan", 0, OPTION_ARG_REQUIRED, "IF", parse_list, S, NULL,
          "A macvlan on host interface IF (mv-IF inside)" },
        { OPT_NETWORK_INTERFACE, "network-interface", 0, OPTION_ARG_REQUIRED, "IF", parse_list, S, NULL,
          "Move host interface IF into the container" },
        { OPT_NETWORK_NAMESPACE_PATH, "network-namespace-path", 0, OPTION_ARG_REQUIRED, "PATH", parse_string, S,
          NULL, "Join this network namespace instead" },
        { OPT_NETWORK_NAMESPACE_EXPORT, "network-namespace-export", 0, OPTION_ARG_OPTIONAL, "PATH",
          parse_netns_export, S, NULL,
          "Bind the container's network namespace at PATH\n(default /run/netns/NAME) while it runs" },
        { OPT_VETH_HOST_CONFIG, "network-veth-host-config", 0, OPTION_ARG_REQUIRED, "FILE", parse_string, S, NULL,
          "networkd settings merged over the defaults of the\nhost end (with a zone, of the zone's bridge)" },
        { OPT_VETH_CONTAINER_CONFIG, "network-veth-container-config", 0, OPTION_ARG_REQUIRED, "FILE", parse_string,
          S, NULL, "The same for the container's end (host0)" },

        { OPT_PORT, "port", 'p', OPTION_ARG_REQUIRED, "[PROTO:][ADDR:]PORT[:PORT]", parse_port, S, NULL,
          "Forward the host's PORT (tcp, or udp) to the\ncontainer's (default the same) by DNAT, keeping the\n"
          "client's address; ADDR: only to that host address" },

        { OPT_CAPABILITY, "capability", 0, OPTION_ARG_REQUIRED, "CAP[,CAP...]", parse_capabilities, S, "Security",
          "Keep these capabilities too (or \"all\")" },
        { OPT_DROP_CAPABILITY, "drop-capability", 0, OPTION_ARG_REQUIRED, "CAP[,CAP...]", parse_capabilities, S,
          NULL, "Drop these of the default set" },
        { OPT_SYSTEM_CALL_FILTER, "system-call-filter", 0, OPTION_ARG_REQUIRED, "[~]NAME|@GROUP ...",
          parse_syscall_filter, S, NULL,
          "Allow more system calls, or with ~ fewer, than the\ndefault allow list" },

        { OPT_CONSOLE, "console", 0, OPTION_ARG_REQUIRED, "MODE", parse_console, S, "Console",
          "interactive, read-only, passive or pipe" },
        { OPT_PIPE, "pipe", 'P', OPTION_ARG_NONE, NULL, parse_flag, S, NULL, "Same as --console=pipe" },

        /* for tests: a store other than /nix/store */
        { OPT_STORE_DIR, "store-dir", 0, OPTION_ARG_REQUIRED, "DIR", parse_absolute_path, OPTION_HIDDEN, NULL, NULL },
};
#undef S
const size_t option_table_size = ELEMENTSOF(option_table);

const Option *option_by_id(OptionId id) {
        for (size_t i = 0; i < option_table_size; i++)
                if (option_table[i].id == id)
                        return &option_table[i];
        return NULL;
}

const Option *option_by_name(const char *name) {
        for (size_t i = 0; i < option_table_size; i++)
                if (option_table[i].name && streq(option_table[i].name, name))
                        return &option_table[i];
        return NULL;
}

const Option *option_by_short(char c) {
        for (size_t i = 0; c && i < option_table_size; i++)
                if (option_table[i].short_name == c)
                        return &option_table[i];
        return NULL;
}

const char *option_display_name(const Option *o) {
        static char buf[64];

        if (o->name)
                snprintf(buf, sizeof buf, "--%s", o->name);
        else
                snprintf(buf, sizeof buf, "-%c", o->short_name);
        return buf;
}

/* ---- walking a command line ---- */

/* The one long option name starts with (a hint for a refused abbreviation), or NULL. */
static const Option *option_by_prefix(const char *prefix, size_t n) {
        const Option *found = NULL;

        if (n == 0)
                return NULL;
        for (size_t i = 0; i < option_table_size; i++) {
                const Option *o = &option_table[i];

                if (!o->name || (o->flags & OPTION_HIDDEN) || strncmp(o->name, prefix, n) != 0)
                        continue;
                if (found)
                        return NULL;
                found = o;
        }
        return found;
}

static int next_long(OptionCursor *c, const char *arg, const Option **ret_option, const char **ret_value,
                     char **ret_error) {
        const char *eq = strchr(arg, '=');
        size_t n = eq ? (size_t) (eq - arg) : strlen(arg);
        _cleanup_free_ char *name = strndup(arg, n);
        const Option *o, *hint;

        if (!name)
                return -ENOMEM;
        o = option_by_name(name);
        if (!o) {
                /* the value is not repeated: it may be a secret (--set-credential=…) */
                hint = option_by_prefix(name, n);
                if (hint)
                        return invalid("Unknown option '--%s': options are not abbreviated (--%s?).", name,
                                       hint->name);
                return invalid("Unknown option '--%s'.", name);
        }
        if (o->arg == OPTION_ARG_NONE && eq)
                return invalid("Option '--%s' takes no value.", name);
        if (o->arg == OPTION_ARG_REQUIRED && !eq) {
                if (c->index >= c->argc)
                        return invalid("Option '--%s' needs a value.", name);
                *ret_value = c->argv[c->index++];
        } else
                *ret_value = eq ? eq + 1 : NULL;
        *ret_option = o;
        return 1;
}

static int next_short(OptionCursor *c, const Option **ret_option, const char **ret_value, char **ret_error) {
        char letter = *c->bundle++;
        const Option *o = option_by_short(letter);

        if (!o) /* (escaped where it is logged, as everything is) */
                return invalid("Unknown option '-%c'.", letter);
        *ret_value = NULL;
        if (o->arg == OPTION_ARG_REQUIRED) {
                if (*c->bundle)
                        *ret_value = c->bundle; /* -MNAME */
                else if (c->index < c->argc)
                        *ret_value = c->argv[c->index++];
                else
                        return invalid("Option '-%c' needs a value.", letter);
                c->bundle = "";
        }
        if (!*c->bundle)
                c->bundle = NULL;
        *ret_option = o;
        return 1;
}

int option_next(OptionCursor *c, const Option **ret_option, const char **ret_value, char **ret_error) {
        const char *arg;

        if (c->bundle)
                return next_short(c, ret_option, ret_value, ret_error);
        if (c->index >= c->argc)
                return 0;
        arg = c->argv[c->index];
        if (streq(arg, "--")) {
                c->index++;
                c->dashdash = true;
                return 0;
        }
        /* the first operand ends the options: the command's own options stay its own */
        if (arg[0] != '-' || arg[1] == 0)
                return 0;
        c->index++;
        if (arg[1] == '-')
                return next_long(c, arg + 2, ret_option, ret_value, ret_error);
        c->bundle = arg + 1;
        return next_short(c, ret_option, ret_value, ret_error);
}

int options_parse(Settings *s, int argc, char *const *argv, OptionsAction *ret_action, char **ret_error) {
        OptionCursor c = OPTION_CURSOR_INIT(argc, argv);
        OptionsAction action = OPTIONS_RUN;
        unsigned seen[_OPT_MAX] = {};
        const Option *o;
        const char *value;
        int r;

        while ((r = option_next(&c, &o, &value, ret_error)) > 0) {
                if (o->id == OPT_HELP || o->id == OPT_VERSION) {
                        *ret_action = o->id == OPT_HELP ? OPTIONS_HELP : OPTIONS_VERSION;
                        return 0;
                }
                if ((o->flags & OPTION_ONCE) && seen[o->id]++ > 0)
                        return invalid("Option '%s' given twice (again as '%s'): it may be given once.",
                                       option_display_name(o), value ?: "");
                if (o->id == OPT_CHECK) {
                        action = OPTIONS_CHECK;
                        continue;
                }
                r = o->parse(o, value, s, ret_error);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        for (int i = c.index; i < argc; i++) {
                r = settings_add_string(&s->command, argv[i]);
                if (r < 0)
                        return r;
        }
        /* a one-shot that chowns a host directory and exits: never mistaken for (or hidden among) a container's
         * options, where it would chown at every start instead of starting */
        if (s->chown_foreign && (s->init || s->directory || s->command || s->closure_files || s->store_paths))
                return invalid("--chown-foreign='%s' changes a host directory and exits: it excludes --init, "
                               "--closure, --store-path, --directory and a command.", s->chown_foreign);
        *ret_action = action;
        return 0;
}

/* ---- what a start would refuse, without the host ---- */

static int check_override(UnitKind kind, const char *ifname, const char *path, char **ret_error) {
        _cleanup_ini_free_ IniFile *unit = NULL, *override = NULL;
        _cleanup_free_ char *error = NULL;
        int r;

        r = units_defaults(kind, ifname, NULL, &unit);
        if (r < 0)
                return r;
        r = units_load_override(path, &override, &error);
        if (r >= 0)
                r = units_merge(unit, override, &error);
        if (r < 0 && error)
                return error_printf(ret_error, r, "Invalid network settings in %s", error);
        if (r < 0)
                return error_printf(ret_error, r, "Failed to read network settings '%s': %s", path, strerror(-r));
        return 0;
}

int options_check(Settings *s, char **ret_error) {
        int r;

        if (s->chown_foreign) /* a one-shot of its own: nothing to run, nothing else to check */
                return 0;
        r = settings_verify(s, false, ret_error);
        if (r < 0)
                return r;
        return options_check_overrides(s, ret_error);
}

int options_check_overrides(const Settings *s, char **ret_error) {
        int r;

        /* the same kinds netconf_prepare() renders the overrides into (the names only need to be valid) */
        if (s->veth_host_config && !s->network_bridge) {
                r = check_override(s->network_zone ? UNIT_ZONE_BRIDGE : UNIT_VETH_HOST,
                                   s->network_zone ? "vz-check" : "ve-check", s->veth_host_config, ret_error);
                if (r < 0)
                        return r;
        }
        if (s->veth_container_config) {
                r = check_override(UNIT_VETH_CONTAINER, "host0", s->veth_container_config, ret_error);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- --help ---- */

#define HELP_COLUMN 28

void options_help(FILE *f) {
        for (size_t i = 0; i < option_table_size; i++) {
                const Option *o = &option_table[i];
                char left[80];
                int n;

                if (o->flags & OPTION_HIDDEN)
                        continue;
                if (o->section)
                        fprintf(f, "\n%s:\n", o->section);
                n = snprintf(left, sizeof left, "  %c%c %s%s%s%s%s", o->short_name ? '-' : ' ', o->short_name ?: ' ',
                             o->name ? "--" : "", o->name ?: "",
                             o->arg == OPTION_ARG_OPTIONAL ? "[=" : o->arg == OPTION_ARG_REQUIRED ? "=" : "",
                             o->value_name ?: "", o->arg == OPTION_ARG_OPTIONAL ? "]" : "");
                if (n >= HELP_COLUMN)
                        fprintf(f, "%s\n%*s", left, HELP_COLUMN, "");
                else
                        fprintf(f, "%-*s", HELP_COLUMN, left);
                for (const char *h = o->help; *h;) {
                        size_t len = strcspn(h, "\n");

                        fprintf(f, "%.*s\n", (int) len, h);
                        h += len;
                        if (*h == '\n' && *++h)
                                fprintf(f, "%*s", HELP_COLUMN, "");
                }
        }
}
