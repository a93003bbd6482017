/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/close_range.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "caps.h"
#include "foreign.h"
#include "id128.h"
#include "inputs.h"
#include "log.h"
#include "settings.h"
#include "spawn.h"
#include "strutil.h"

#ifndef VERSION
#define VERSION "0"
#endif

static void help(void) {
        printf("%s [OPTIONS...] [-- COMMAND [ARGS...]]\n\n"
               "Boot an always-ephemeral container from a Nix store closure.\n\n"
               "  -h --help                 Show this help\n"
               "     --version              Show the version\n"
               "  -q --quiet                Do not show status messages\n\n"
               "Image:\n"
               "     --closure=FILE         Mount the store paths listed in FILE (closureInfo's\n"
               "                            store-paths or nix-store -qR output); repeatable\n"
               "     --store-path=PATH      Mount PATH and its closure (asks Nix); repeatable\n"
               "  -D --directory=DIR        Use DIR read-only as the lower layer of the root\n"
               "     --init=PATH            Run PATH as PID 1 (NixOS: TOPLEVEL/init);\n"
               "                            default /sbin/init with -D\n\n"
               "Execution:\n"
               "  -M --machine=NAME         Machine name (a hostname, at most 64 characters)\n"
               "     --hostname=NAME        Hostname inside, default the machine name\n"
               "     --uuid=UUID            Machine UUID, default random\n"
               "  -E --setenv=NAME=VALUE    Pass an environment variable to PID 1\n"
               "     --kill-signal=SIGNAL   Signal to stop PID 1 with (default SIGRTMIN+3 for an\n"
               "                            init, SIGKILL for a command)\n"
               "     --notify-ready=BOOL    Wait for PID 1's READY=1 before reporting ready\n"
               "     --register=auto|yes|no Register with systemd-machined (auto: when it answers)\n"
               "     --set-credential=ID:VALUE   Pass a credential to the container's services\n"
               "     --load-credential=ID:PATH   The same, read from PATH at start\n\n"
               "User namespace:\n"
               "  -U                        Same as --private-users=pick\n"
               "     --private-users=pick|no|BASE[:SIZE]\n"
               "                            Map container UIDs 0..SIZE-1 to BASE.. (default pick)\n\n"
               "Mounts:\n"
               "     --bind=SRC[:DST[:OPTS]]     Bind SRC read-write at DST; OPTS: foreign (default\n"
               "                                 with -U: owned by the foreign UID range on disk),\n"
               "                                 idmap (identity: root inside writes host-root\n"
               "                                 files), noidmap, rbind (default), norbind\n"
               "     --bind-ro=SRC[:DST[:OPTS]]  The same, read-only (default idmap with -U)\n"
               "     --chown-foreign=DIR         Move DIR's files from identity-mapped owners\n"
               "                                 (0-65535) to the foreign range, and exit\n"
               "     --tmpfs=DST[:MODE]          Mount an empty tmpfs at DST\n\n"
               "Networking:\n"
               "     --private-network      A network namespace of its own (only loopback)\n"
               "  -n --network-veth         A veth pair: ve-NAME on the host, host0 inside\n"
               "     --network-zone=ZONE    Its host end in bridge vz-ZONE (as vb-NAME)\n"
               "     --network-bridge=BRIDGE  Its host end in the existing host bridge BRIDGE\n"
               "                            (as vb-NAME)\n"
               "     --network-macvlan=IF   A macvlan on host interface IF (mv-IF inside)\n"
               "     --network-interface=IF Move host interface IF into the container\n"
               "     --network-namespace-path=PATH  Join this network namespace instead\n"
               "     --network-namespace-export[=PATH]  Bind the container's network namespace at PATH\n"
               "                            (default /run/netns/NAME) while it runs\n"
               "     --network-veth-host-config=FILE       networkd settings merged over the\n"
               "     --network-veth-container-config=FILE  defaults of either end (with a zone,\n"
               "                            the host's configure the zone's bridge)\n\n"
               "Security:\n"
               "     --capability=CAP[,CAP...]   Keep these capabilities too (or \"all\")\n"
               "     --drop-capability=CAP[,CAP...]  Drop these of the default set\n"
               "     --system-call-filter=[~]NAME|@GROUP ...\n"
               "                            Allow more system calls, or with ~ fewer, than the\n"
               "                            default allow list\n\n"
               "Console:\n"
               "     --console=MODE         interactive, read-only, passive or pipe\n"
               "  -P --pipe                 Same as --console=pipe\n\n"
               "See nixos-nspawn(1).\n",
               program_invocation_short_name);
}

enum {
        ARG_VERSION = 0x100,
        ARG_HOSTNAME,
        ARG_UUID,
        ARG_CLOSURE,
        ARG_STORE_PATH,
        ARG_INIT,
        ARG_PRIVATE_USERS,
        ARG_BIND,
        ARG_BIND_RO,
        ARG_TMPFS,
        ARG_PRIVATE_NETWORK,
        ARG_CONSOLE,
        ARG_KILL_SIGNAL,
        ARG_NOTIFY_READY,
        ARG_STORE_DIR,
        ARG_CHOWN_FOREIGN,
        ARG_REGISTER,
        ARG_NETWORK_ZONE,
        ARG_NETWORK_BRIDGE,
        ARG_NETWORK_MACVLAN,
        ARG_NETWORK_INTERFACE,
        ARG_NETWORK_NAMESPACE_PATH,
        ARG_NETWORK_NAMESPACE_EXPORT,
        ARG_VETH_HOST_CONFIG,
        ARG_VETH_CONTAINER_CONFIG,
        ARG_SET_CREDENTIAL,
        ARG_LOAD_CREDENTIAL,
        ARG_CAPABILITY,
        ARG_DROP_CAPABILITY,
        ARG_SYSTEM_CALL_FILTER,
};

static int parse_argv(Settings *s, int argc, char *argv[]) {
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                { "quiet", no_argument, NULL, 'q' },
                { "machine", required_argument, NULL, 'M' },
                { "hostname", required_argument, NULL, ARG_HOSTNAME },
                { "uuid", required_argument, NULL, ARG_UUID },
                { "setenv", required_argument, NULL, 'E' },
                { "closure", required_argument, NULL, ARG_CLOSURE },
                { "store-path", required_argument, NULL, ARG_STORE_PATH },
                { "directory", required_argument, NULL, 'D' },
                { "init", required_argument, NULL, ARG_INIT },
                { "private-users", optional_argument, NULL, ARG_PRIVATE_USERS },
                { "bind", required_argument, NULL, ARG_BIND },
                { "bind-ro", required_argument, NULL, ARG_BIND_RO },
                { "tmpfs", required_argument, NULL, ARG_TMPFS },
                { "private-network", no_argument, NULL, ARG_PRIVATE_NETWORK },
                { "console", required_argument, NULL, ARG_CONSOLE },
                { "pipe", no_argument, NULL, 'P' },
                { "kill-signal", required_argument, NULL, ARG_KILL_SIGNAL },
                { "notify-ready", required_argument, NULL, ARG_NOTIFY_READY },
                { "register", required_argument, NULL, ARG_REGISTER },
                { "network-veth", no_argument, NULL, 'n' },
                { "network-zone", required_argument, NULL, ARG_NETWORK_ZONE },
                { "network-bridge", required_argument, NULL, ARG_NETWORK_BRIDGE },
                { "network-macvlan", required_argument, NULL, ARG_NETWORK_MACVLAN },
                { "network-interface", required_argument, NULL, ARG_NETWORK_INTERFACE },
                { "network-namespace-path", required_argument, NULL, ARG_NETWORK_NAMESPACE_PATH },
                { "network-namespace-export", optional_argument, NULL, ARG_NETWORK_NAMESPACE_EXPORT },
                { "network-veth-host-config", required_argument, NULL, ARG_VETH_HOST_CONFIG },
                { "network-veth-container-config", required_argument, NULL, ARG_VETH_CONTAINER_CONFIG },
                { "set-credential", required_argument, NULL, ARG_SET_CREDENTIAL },
                { "load-credential", required_argument, NULL, ARG_LOAD_CREDENTIAL },
                { "capability", required_argument, NULL, ARG_CAPABILITY },
                { "drop-capability", required_argument, NULL, ARG_DROP_CAPABILITY },
                { "system-call-filter", required_argument, NULL, ARG_SYSTEM_CALL_FILTER },
                { "chown-foreign", required_argument, NULL, ARG_CHOWN_FOREIGN },
                { "store-dir", required_argument, NULL, ARG_STORE_DIR }, /* for tests; not documented */
                {}
        };
        int c, r;

        /* "+": stop at the first non-option, so the command's own options stay its own */
        /* getopt's own messages would print the option as given, control bytes and all: we say it, escaped
         * (opterr = 0; a leading ':' tells a missing value from an unknown option) */
        opterr = 0;
        while ((c = getopt_long(argc, argv, "+:hqM:E:D:UPn", options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        printf("nixos-nspawn %s\n", VERSION);
                        return 0;
                case 'q':
                        s->quiet = true;
                        break;
                case 'M':
                        if (!machine_name_is_valid(optarg))
                                return log_invalid("Invalid machine name '%s': must be a hostname of at most %d "
                                                   "characters.", optarg, MACHINE_NAME_MAX);
                        free(s->machine);
                        s->machine = strdup(optarg);
                        if (!s->machine)
                                return log_oom();
                        break;
                case ARG_HOSTNAME:
                        if (!machine_name_is_valid(optarg))
                                return log_invalid("Invalid hostname '%s'.", optarg);
                        free(s->hostname);
                        s->hostname = strdup(optarg);
                        if (!s->hostname)
                                return log_oom();
                        break;
                case ARG_UUID:
                        r = id128_from_string(optarg, &s->uuid);
                        if (r < 0 || sd_id128_is_null(s->uuid))
                                return log_invalid("Invalid --uuid '%s'.", optarg);
                        break;
                case 'E':
                        if (!env_assignment_is_valid(optarg))
                                return log_invalid("Invalid --setenv '%s': expected NAME=VALUE.", optarg);
                        r = settings_add_string(&s->environment, optarg);
                        if (r < 0)
                                return log_oom();
                        break;
                case ARG_CLOSURE:
                        r = settings_add_string(&s->closure_files, optarg);
                        if (r < 0)
                                return log_oom();
                        break;
                case ARG_STORE_PATH:
                        r = settings_add_string(&s->store_paths, optarg);
                        if (r < 0)
                                return log_oom();
                        break;
                case 'D':
                        free(s->directory);
                        s->directory = strdup(optarg);
                        if (!s->directory)
                                return log_oom();
                        break;
                case ARG_INIT:
                        free(s->init);
                        s->init = strdup(optarg);
                        if (!s->init)
                                return log_oom();
                        break;
                case 'U':
                        s->userns = USERNS_PICK;
                        break;
                case ARG_PRIVATE_USERS: {
                        const char *why;

                        r = parse_private_users(optarg ?: "pick", &s->userns, &s->uid_base, &s->uid_size);
                        if (r == -ENOMEM)
                                return log_oom();
                        if (r < 0)
                                return log_invalid("Invalid --private-users '%s': expected pick, no or BASE[:SIZE].",
                                                   optarg);
                        why = s->userns == USERNS_FIXED ? uid_range_refusal(s->uid_base, s->uid_size) : NULL;
                        if (why)
                                return log_invalid("Invalid --private-users '%s': %s.", optarg, why);
                        break;
                }
                case ARG_BIND:
                case ARG_BIND_RO:
                        r = settings_add_bind(s, optarg, c == ARG_BIND_RO);
                        if (r == -EINVAL)
                                return log_invalid("Invalid --%s '%s': expected SRC[:DST[:OPTS]] with absolute "
                                                   "paths and OPTS of foreign, idmap, noidmap, rbind, norbind.",
                                                   c == ARG_BIND ? "bind" : "bind-ro", optarg);
                        if (r < 0)
                                return log_oom();
                        break;
                case ARG_TMPFS:
                        r = settings_add_tmpfs(s, optarg);
                        if (r == -EINVAL)
                                return log_invalid("Invalid --tmpfs '%s': expected DST[:MODE], MODE in octal.",
                                                   optarg);
                        if (r < 0)
                                return log_oom();
                        break;
                case ARG_PRIVATE_NETWORK:
                        s->private_network = true;
                        break;
                case ARG_CONSOLE:
                        if (parse_console_mode(optarg, &s->console) < 0)
                                return log_invalid("Invalid --console '%s': expected interactive, read-only, "
                                                   "passive or pipe.", optarg);
                        break;
                case 'P':
                        s->console = CONSOLE_PIPE;
                        break;
                case ARG_KILL_SIGNAL:
                        if (parse_signal(optarg, &s->kill_signal) < 0)
                                return log_invalid("Invalid --kill-signal '%s'.", optarg);
                        break;
                case ARG_NOTIFY_READY:
                        if (parse_boolean(optarg, &s->notify_ready) < 0)
                                return log_invalid("Invalid --notify-ready '%s': expected yes or no.", optarg);
                        break;
                case 'n':
                        s->network_veth = true;
                        break;
                case ARG_NETWORK_BRIDGE:
                        r = free_and_strdup(&s->network_bridge, optarg);
                        if (r < 0)
                                return log_oom();
                        break;
                case ARG_NETWORK_ZONE:
                        r = free_and_strdup(&s->network_zone, optarg);
                        if (r < 0)
                                return log_oom();
                        break;
                case ARG_NETWORK_MACVLAN:
                        r = settings_add_string(&s->network_macvlan, optarg);
                        if (r < 0)
                                return log_oom();
                        break;
                case ARG_NETWORK_INTERFACE:
                        r = settings_add_string(&s->network_interfaces, optarg);
                        if (r < 0)
                                return log_oom();
                        break;
                case ARG_NETWORK_NAMESPACE_PATH:
                        r = free_and_strdup(&s->network_namespace_path, optarg);
                        if (r < 0)
                                return log_oom();
                        break;
                case ARG_NETWORK_NAMESPACE_EXPORT:
                        /* the default needs the machine name, known only after parsing: "" stands for it */
                        r = free_and_strdup(&s->network_namespace_export, optarg ?: "");
                        if (r < 0)
                                return log_oom();
                        break;
                case ARG_VETH_HOST_CONFIG:
                        r = free_and_strdup(&s->veth_host_config, optarg);
                        if (r < 0)
                                return log_oom();
                        break;
                case ARG_VETH_CONTAINER_CONFIG:
                        r = free_and_strdup(&s->veth_container_config, optarg);
                        if (r < 0)
                                return log_oom();
                        break;
                case ARG_REGISTER:
                        if (parse_register_mode(optarg, &s->register_mode) < 0)
                                return log_invalid("Invalid --register '%s': expected auto, yes or no.", optarg);
                        break;
                case ARG_SET_CREDENTIAL:
                case ARG_LOAD_CREDENTIAL: {
                        bool load = c == ARG_LOAD_CREDENTIAL;

                        r = settings_add_credential(s, optarg, load);
                        if (r == -E2BIG)
                                return log_invalid("Invalid --set-credential for '%.*s': the value is larger than "
                                                   "%u bytes.", (int) strcspn(optarg, ":"), optarg,
                                                   CREDENTIAL_SIZE_MAX);
                        if (r == -EINVAL) /* the value may be a secret: name only the ID part */
                                return log_invalid("Invalid --%s for '%.*s': expected ID:%s with a unique ID "
                                                   "without '/' or control characters%s.",
                                                   load ? "load-credential" : "set-credential",
                                                   (int) strcspn(optarg, ":"), optarg, load ? "PATH" : "VALUE",
                                                   load ? " and an absolute PATH" : "");
                        if (r < 0)
                                return log_oom();
                        break;
                }
                case ARG_CAPABILITY:
                case ARG_DROP_CAPABILITY: {
                        const char *bad = NULL;
                        size_t bad_len = 0;
                        uint64_t m;

                        if (parse_capability_list(optarg, &m, &bad, &bad_len) < 0)
                                return log_invalid("Invalid --%s '%s': '%.*s' is not a capability name (such as "
                                                   "CAP_SYS_TIME).", c == ARG_CAPABILITY ? "capability" :
                                                   "drop-capability", optarg, (int) bad_len, bad);
                        if (c == ARG_CAPABILITY)
                                s->capability_add |= m;
                        else
                                s->capability_drop |= m;
                        break;
                }
                case ARG_SYSTEM_CALL_FILTER: {
                        const char *bad = NULL;
                        size_t bad_len = 0;

                        r = settings_add_syscall_filter(s, optarg, &bad, &bad_len);
                        if (r == -EINVAL)
                                return log_invalid("Invalid --system-call-filter '%s': '%.*s' is neither a system "
                                                   "call nor a @group.", optarg, (int) bad_len, bad);
                        if (r < 0)
                                return r;
                        break;
                }
                case ARG_CHOWN_FOREIGN:
                        if (!path_is_normalized_absolute(optarg))
                                return log_invalid("Invalid --chown-foreign '%s': not a normalized absolute path.",
                                                   optarg);
                        r = free_and_strdup(&s->chown_foreign, optarg);
                        if (r < 0)
                                return r;
                        break;
                case ARG_STORE_DIR:
                        if (!path_is_normalized_absolute(optarg) || streq(optarg, "/"))
                                return log_invalid("Invalid --store-dir '%s'.", optarg);
                        free(s->store_dir);
                        s->store_dir = strdup(optarg);
                        if (!s->store_dir)
                                return log_oom();
                        break;
                case '?':
                        if (optopt > 0 && optopt < 0x100) /* an unknown short option */
                                return log_invalid("Unknown option '-%c'.", optopt);
                        return log_invalid("Unknown option '%s'.", argv[optind - 1]);
                case ':':
                        return log_invalid("Option '%s' needs a value.", argv[optind - 1]);
                default:
                        return -EINVAL;
                }
        }

        if (optind < argc) {
                for (int i = optind; i < argc; i++) {
                        r = settings_add_string(&s->command, argv[i]);
                        if (r < 0)
                                return log_oom();
                }
        }
        return 1;
}

/* close_range() before Linux 5.11: the same through /proc/self/fd. */
static void mark_fds_cloexec(void) {
        DIR *d = opendir("/proc/self/fd");
        struct dirent *de;

        if (!d)
                return;
        while ((de = readdir(d))) {
                unsigned fd;

                if (safe_atou32(de->d_name, &fd) >= 0 && fd > 2 && (int) fd != dirfd(d))
                        (void) fcntl((int) fd, F_SETFD, FD_CLOEXEC);
        }
        closedir(d);
}

int main(int argc, char *argv[]) {
        _cleanup_free_ char *error = NULL;
        Settings s;
        char missing[256];
        int r;

        log_open();
        /* Whatever fds our caller left open must not reach the container: an fd to a host directory is a way
         * out of any mount namespace. Ours are all O_CLOEXEC; these become so too. */
        if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
                mark_fds_cloexec();
        settings_init(&s);

        r = parse_argv(&s, argc, argv);
        if (r <= 0) /* 0: --help or --version */
                goto finish;
        /* --chown-foreign is a one-shot of its own: nothing to run, nothing else to check */
        r = s.chown_foreign ? 0 : settings_verify(&s, isatty(STDIN_FILENO), &error);
        if (r >= 0 && !s.chown_foreign)
                r = inputs_check(&s, &error);
        if (r < 0) {
                if (error)
                        log_error_errno(r, "%s", error);
                else
                        log_oom();
                goto finish;
        }
        /* The machine's identity for this run (machined, container_uuid=, /run/host/container-uuid) when not given. */
        if (sd_id128_is_null(s.uuid)) {
                r = id128_randomize(&s.uuid);
                if (r < 0) {
                        log_error_errno(r, "Failed to generate a machine UUID: %m");
                        goto finish;
                }
        }
        if (s.quiet)
                log_set_max_level(LOG_WARNING);

        /* Never setuid: everything below trusts its caller as much as root. */
        if (getuid() != geteuid() || getgid() != getegid()) {
                r = log_error_errno(-EPERM, "nixos-nspawn refuses to run setuid or setgid.");
                goto finish;
        }
        if (geteuid() != 0) {
                r = log_error_errno(-EPERM, "nixos-nspawn must be run as root (it needs CAP_SYS_ADMIN and more).");
                goto finish;
        }
        r = caps_check_launcher(missing, sizeof missing);
        if (r > 0) {
                r = log_error_errno(-EPERM, "nixos-nspawn lacks capabilities it needs: %s.", missing);
                goto finish;
        }

        if (s.chown_foreign) {
                r = foreign_chown_tree(s.chown_foreign);
                r = r < 0 ? r : 0;
        } else
                r = spawn_run(&s);
finish:
        settings_done(&s);
        return r < 0 ? EXIT_FAILURE : r;
}
