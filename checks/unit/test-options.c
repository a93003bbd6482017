/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Claims about spawn/options.c: the launcher's option table, its walk over a command line (exact names only,
 * bundled short options), every option's parsing into Settings, and options_check() (what --check refuses). */
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "caps.h"
#include "options.h"
#include "resource-limits.h"
#include "strutil.h"
#include "tap.h"

static bool tested[_OPT_MAX];

/* Parses "nixos-nspawn ARGS…" (NULL-terminated) into *s; returns the parser's result, *ret_error kept. */
static int parse_v(Settings *s, OptionsAction *ret_action, char **ret_error, const char *const *args) {
        char *argv[32] = { (char *) "nixos-nspawn" };
        int argc = 1;

        for (; args[argc - 1]; argc++)
                argv[argc] = (char *) args[argc - 1];
        settings_init(s);
        free(*ret_error);
        *ret_error = NULL;
        return options_parse(s, argc, argv, ret_action, ret_error);
}
#define PARSE(s, action, err, ...) parse_v((s), (action), (err), (const char *const[]) { __VA_ARGS__, NULL })

/* One option given alone (after --init, so the whole verifies): accepted, and what it set checked by the caller. */
static bool accepts(Settings *s, OptionId id, const char *arg) {
        _cleanup_free_ char *error = NULL;
        OptionsAction action;
        int r;

        tested[id] = true;
        r = PARSE(s, &action, &error, arg);
        if (r < 0)
                diag("'%s': %s", arg, error ?: "(no message)");
        return r >= 0 && action == OPTIONS_RUN;
}

/* Refused by the parser, with a message that names the option's value or the option. */
static void refuses(OptionId id, const char *arg, const char *in_message) {
        _cleanup_free_ char *error = NULL;
        OptionsAction action;
        Settings s;
        int r;

        tested[id] = true;
        r = PARSE(&s, &action, &error, arg);
        ok(r == -EINVAL && error && strstr(error, in_message), "'%s' is refused naming '%s' (%s)", arg, in_message,
           error ?: "no message");
        settings_done(&s);
}

static void test_table(void) {
        bool ids[_OPT_MAX] = {}, dup = false, shorts[128] = {};

        for (size_t i = 0; i < option_table_size; i++) {
                const Option *o = &option_table[i];

                if (ids[o->id] || (o->short_name && shorts[(unsigned char) o->short_name]))
                        dup = true;
                ids[o->id] = true;
                if (o->short_name)
                        shorts[(unsigned char) o->short_name] = true;
                ok(o->name || o->short_name, "option %d has a name", o->id);
                ok(o->name ? option_by_name(o->name) == o : option_by_short(o->short_name) == o,
                   "%s is found by its name", option_display_name(o));
                ok(o->parse || o->id == OPT_HELP || o->id == OPT_VERSION || o->id == OPT_CHECK,
                   "%s has a parse function (or is an action)", option_display_name(o));
                ok((o->flags & OPTION_HIDDEN) || o->help, "%s has help text", option_display_name(o));
                ok((o->arg == OPTION_ARG_NONE) == !o->value_name, "%s names its value in --help iff it takes one",
                   option_display_name(o));
                ok(!((o->flags & OPTION_STORABLE) && (o->flags & OPTION_SYSTEM)),
                   "%s is either the user's or the system's to store", option_display_name(o));
        }
        ok(!dup, "no option id or short name is in the table twice");
        for (int id = 0; id < _OPT_MAX; id++)
                ok(ids[id] && option_by_id((OptionId) id), "option id %d has a row", id);
}

/* Which options a user may store with a container: nothing that picks another machine, image, init or store,
 * touches a host directory, or is a test hook. */
static void test_storable(void) {
        static const OptionId never[] = { OPT_MACHINE, OPT_CLOSURE, OPT_STORE_PATH, OPT_INIT, OPT_DIRECTORY,
                                          OPT_STORE_DIR, OPT_CHOWN_FOREIGN, OPT_HELP, OPT_VERSION, OPT_CHECK,
                                          OPT_QUIET };
        static const OptionId system[] = { OPT_CLOSURE, OPT_STORE_PATH, OPT_INIT };

        for (size_t i = 0; i < ELEMENTSOF(never); i++)
                ok(!(option_by_id(never[i])->flags & OPTION_STORABLE), "%s may not be stored by a user",
                   option_display_name(option_by_id(never[i])));
        for (size_t i = 0; i < ELEMENTSOF(system); i++)
                ok(option_by_id(system[i])->flags & OPTION_SYSTEM, "%s is the system's",
                   option_display_name(option_by_id(system[i])));
        ok(!(option_by_id(OPT_MACHINE)->flags & OPTION_SYSTEM), "--machine is not even the system's: the name is");
        ok(option_by_id(OPT_NETWORK_VETH)->flags & OPTION_STORABLE, "-n may be stored");
}

/* getopt_long took any unambiguous prefix: "--mach=Y" was --machine. Every proper prefix of every long name that
 * is not itself a name is refused. */
static void test_no_abbreviations(void) {
        unsigned refused = 0, tried = 0;

        for (size_t i = 0; i < option_table_size; i++) {
                const char *name = option_table[i].name;

                for (size_t n = 1; name && n < strlen(name); n++) {
                        _cleanup_free_ char *error = NULL, *prefix = strndup(name, n), *arg = NULL;
                        OptionsAction action;
                        Settings s;

                        if (option_by_name(prefix))
                                continue;
                        arg = strprintf("--%s=x", prefix);
                        tried++;
                        if (PARSE(&s, &action, &error, arg) == -EINVAL && error && strstr(error, "Unknown option"))
                                refused++;
                        else
                                diag("'%s' was not refused as unknown", arg);
                        settings_done(&s);
                }
        }
        ok(tried > 200 && refused == tried, "all %u abbreviations of long options are refused", tried);
        {
                _cleanup_free_ char *error = NULL;
                OptionsAction action;
                Settings s;

                PARSE(&s, &action, &error, "--mach=y");
                ok(error && strstr(error, "not abbreviated (--machine?)"), "the refusal names the option meant: %s",
                   error ?: "");
                settings_done(&s);
                PARSE(&s, &action, &error, "--set-cred=ID:secret");
                ok(error && !strstr(error, "secret"), "nor repeats the value (it may be a secret): %s", error ?: "");
                settings_done(&s);
                PARSE(&s, &action, &error, "--network-veth-=x");
                ok(error && strstr(error, "Unknown option '--network-veth-'"),
                   "an ambiguous prefix is unknown too: %s", error ?: "");
                settings_done(&s);
        }
}

static void test_walk(void) {
        _cleanup_free_ char *error = NULL;
        OptionsAction action;
        Settings s;
        int r;

        r = PARSE(&s, &action, &error, "-nM", "web", "-qPU", "-EA=b", "-D/srv/x", "--", "/bin/sh", "-c", "x");
        ok(r >= 0, "bundled short options parse (%s)", error ?: "");
        ok(s.network_veth && streq(s.machine ?: "", "web") && s.quiet && s.console == CONSOLE_PIPE &&
           s.userns == USERNS_PICK && streq(s.directory ?: "", "/srv/x"),
           "-nM web -qPU -D/srv/x: each letter is its own option, a value attached or the next argument");
        ok(s.environment && streq(s.environment[0], "A=b"), "-EA=b: the value attached");
        ok(s.command && streq(s.command[0], "/bin/sh") && streq(s.command[1], "-c") && streq(s.command[2], "x") &&
           !s.command[3], "after '--': the command, its options its own");
        settings_done(&s);

        r = PARSE(&s, &action, &error, "--init=/i", "ls", "-l");
        ok(r >= 0 && s.command && streq(s.command[0], "ls") && streq(s.command[1], "-l"),
           "the first operand ends the options");
        settings_done(&s);

        r = PARSE(&s, &action, &error, "-nMweb", "-nMother");
        ok(r == -EINVAL && error && strstr(error, "'--machine' given twice"), "--machine twice is refused: %s",
           error ?: "");
        settings_done(&s);
        r = PARSE(&s, &action, &error, "--init=/a", "--init=/b");
        ok(r == -EINVAL, "--init twice is refused");
        settings_done(&s);

        refuses(OPT_HELP, "-x", "Unknown option '-x'");
        refuses(OPT_HELP, "-n\x1b", "Unknown option '-\x1b'");
        refuses(OPT_QUIET, "--quiet=yes", "takes no value");
        refuses(OPT_MACHINE, "-M", "'-M' needs a value");
        refuses(OPT_MACHINE, "--machine", "'--machine' needs a value");

        r = PARSE(&s, &action, &error, "--machine=a_b", "--help");
        ok(r == -EINVAL, "an invalid option before --help is still refused");
        settings_done(&s);
        r = PARSE(&s, &action, &error, "--help", "--machine=a_b");
        tested[OPT_HELP] = true;
        ok(r >= 0 && action == OPTIONS_HELP, "--help first ends the parsing: help");
        settings_done(&s);
        r = PARSE(&s, &action, &error, "--version");
        tested[OPT_VERSION] = true;
        ok(r >= 0 && action == OPTIONS_VERSION, "--version");
        settings_done(&s);
        r = PARSE(&s, &action, &error, "--init=/i", "--check");
        tested[OPT_CHECK] = true;
        ok(r >= 0 && action == OPTIONS_CHECK, "--check anywhere makes the run a check");
        settings_done(&s);
}

/* Each option, through the table: what it sets, and what it refuses. */
static void test_each_option(void) {
        Settings s;

        ok(accepts(&s, OPT_QUIET, "-q") && s.quiet, "-q: quiet");
        settings_done(&s);
        ok(accepts(&s, OPT_CLOSURE, "--closure=/c1") && streq(s.closure_files[0], "/c1"), "--closure");
        settings_done(&s);
        ok(accepts(&s, OPT_STORE_PATH, "--store-path=/nix/store/x") && streq(s.store_paths[0], "/nix/store/x"),
           "--store-path");
        settings_done(&s);
        ok(accepts(&s, OPT_DIRECTORY, "--directory=/srv/img") && streq(s.directory, "/srv/img"), "--directory");
        settings_done(&s);
        ok(accepts(&s, OPT_INIT, "--init=/nix/store/x/init") && streq(s.init, "/nix/store/x/init"), "--init");
        settings_done(&s);
        ok(accepts(&s, OPT_MACHINE, "--machine=web.example") && streq(s.machine, "web.example"), "--machine");
        settings_done(&s);
        refuses(OPT_MACHINE, "--machine=a_b", "Invalid machine name 'a_b'");
        ok(accepts(&s, OPT_HOSTNAME, "--hostname=h1") && streq(s.hostname, "h1"), "--hostname");
        settings_done(&s);
        refuses(OPT_HOSTNAME, "--hostname=-h", "Invalid hostname '-h'");
        ok(accepts(&s, OPT_UUID, "--uuid=0123456789abcdef0123456789abcdef") && s.uuid.bytes[0] == 0x01 &&
           s.uuid.bytes[15] == 0xef, "--uuid");
        settings_done(&s);
        refuses(OPT_UUID, "--uuid=00000000000000000000000000000000", "Invalid --uuid");
        ok(accepts(&s, OPT_SETENV, "--setenv=LANG=C") && streq(s.environment[0], "LANG=C"), "--setenv");
        settings_done(&s);
        refuses(OPT_SETENV, "--setenv=1A=b", "Invalid --setenv '1A=b'");
        ok(accepts(&s, OPT_KILL_SIGNAL, "--kill-signal=SIGTERM") && s.kill_signal == SIGTERM, "--kill-signal");
        settings_done(&s);
        refuses(OPT_KILL_SIGNAL, "--kill-signal=SIGNOPE", "Invalid --kill-signal 'SIGNOPE'");
        ok(accepts(&s, OPT_NOTIFY_READY, "--notify-ready=no") && !s.notify_ready, "--notify-ready");
        settings_done(&s);
        refuses(OPT_NOTIFY_READY, "--notify-ready=maybe", "Invalid --notify-ready 'maybe'");
        ok(accepts(&s, OPT_REGISTER, "--register=no") && s.register_mode == REGISTER_NO, "--register");
        settings_done(&s);
        refuses(OPT_REGISTER, "--register=sometimes", "Invalid --register 'sometimes'");
        ok(accepts(&s, OPT_LINK_JOURNAL, "--link-journal=try-host") && s.link_journal == LINK_JOURNAL_HOST &&
           s.link_journal_try, "--link-journal=try-host");
        settings_done(&s);
        ok(accepts(&s, OPT_LINK_JOURNAL, "--link-journal=host") && s.link_journal == LINK_JOURNAL_HOST &&
           !s.link_journal_try, "--link-journal=host");
        settings_done(&s);
        ok(accepts(&s, OPT_LINK_JOURNAL, "--link-journal=no") && s.link_journal == LINK_JOURNAL_NO, "--link-journal=no");
        settings_done(&s);
        ok(accepts(&s, OPT_LINK_JOURNAL, "--link-journal=guest") && s.link_journal == LINK_JOURNAL_GUEST &&
           !s.link_journal_try, "--link-journal=guest");
        settings_done(&s);
        ok(accepts(&s, OPT_LINK_JOURNAL, "--link-journal=auto") && s.link_journal == LINK_JOURNAL_AUTO,
           "--link-journal=auto");
        settings_done(&s);
        refuses(OPT_LINK_JOURNAL, "--link-journal=Host", "Invalid --link-journal 'Host'");
        refuses(OPT_LINK_JOURNAL, "--link-journal=", "Invalid --link-journal ''");
        ok(accepts(&s, OPT_SET_CREDENTIAL, "--set-credential=pw:s3cret") && s.n_credentials == 1 &&
           streq(s.credentials[0].id, "pw") && streq(s.credentials[0].value, "s3cret"), "--set-credential");
        settings_done(&s);
        refuses(OPT_SET_CREDENTIAL, "--set-credential=a/b:s3cret", "for 'a/b'");
        ok(accepts(&s, OPT_LOAD_CREDENTIAL, "--load-credential=k:/etc/k") && streq(s.credentials[0].path, "/etc/k"),
           "--load-credential");
        settings_done(&s);
        refuses(OPT_LOAD_CREDENTIAL, "--load-credential=k:rel", "absolute PATH");
        ok(accepts(&s, OPT_USERNS_PICK, "-U") && s.userns == USERNS_PICK, "-U");
        settings_done(&s);
        ok(accepts(&s, OPT_PRIVATE_USERS, "--private-users=131072") && s.userns == USERNS_FIXED &&
           s.uid_base == 131072, "--private-users=BASE");
        settings_done(&s);
        ok(accepts(&s, OPT_PRIVATE_USERS, "--private-users") && s.userns == USERNS_PICK, "--private-users alone");
        settings_done(&s);
        refuses(OPT_PRIVATE_USERS, "--private-users=0", "base 0");
        ok(accepts(&s, OPT_BIND, "--bind=/a:/b:norbind") && s.n_binds == 1 && !s.binds[0].read_only &&
           !s.binds[0].recursive && streq(s.binds[0].destination, "/b"), "--bind");
        settings_done(&s);
        refuses(OPT_BIND, "--bind=rel", "Invalid --bind 'rel'");
        ok(accepts(&s, OPT_BIND_RO, "--bind-ro=/a") && s.binds[0].read_only, "--bind-ro");
        settings_done(&s);
        refuses(OPT_BIND_RO, "--bind-ro=/a:/b:bogus", "Invalid --bind-ro '/a:/b:bogus'");
        ok(accepts(&s, OPT_CHOWN_FOREIGN, "--chown-foreign=/srv/data") && streq(s.chown_foreign, "/srv/data"),
           "--chown-foreign");
        settings_done(&s);
        refuses(OPT_CHOWN_FOREIGN, "--chown-foreign=/", "Invalid --chown-foreign '/'");
        ok(accepts(&s, OPT_TMPFS, "--tmpfs=/var/cache:0700") && s.n_tmpfs == 1 && s.tmpfs[0].mode == 0700,
           "--tmpfs");
        settings_done(&s);
        refuses(OPT_TMPFS, "--tmpfs=relative", "Invalid --tmpfs 'relative'");
        ok(accepts(&s, OPT_TMPFS, "--tmpfs=/var/cache:mode=0755,size=512M") && streq(s.tmpfs[0].size, "512M"),
           "--tmpfs=PATH:OPTIONS as systemd-nspawn takes it");
        settings_done(&s);
        refuses(OPT_TMPFS, "--tmpfs=/x:uid=0", "Invalid --tmpfs '/x:uid=0'");
        ok(accepts(&s, OPT_PRIVATE_NETWORK, "--private-network") && s.private_network, "--private-network");
        settings_done(&s);
        ok(accepts(&s, OPT_NETWORK_VETH, "--network-veth") && s.network_veth, "--network-veth");
        settings_done(&s);
        ok(accepts(&s, OPT_NETWORK_ZONE, "--network-zone=lab") && streq(s.network_zone, "lab"), "--network-zone");
        settings_done(&s);
        ok(accepts(&s, OPT_NETWORK_BRIDGE, "--network-bridge=br0") && streq(s.network_bridge, "br0"),
           "--network-bridge");
        settings_done(&s);
        ok(accepts(&s, OPT_NETWORK_MACVLAN, "--network-macvlan=eth0") && streq(s.network_macvlan[0], "eth0"),
           "--network-macvlan");
        settings_done(&s);
        ok(accepts(&s, OPT_NETWORK_INTERFACE, "--network-interface=eth1") && streq(s.network_interfaces[0], "eth1"),
           "--network-interface");
        settings_done(&s);
        ok(accepts(&s, OPT_NETWORK_NAMESPACE_PATH, "--network-namespace-path=/run/netns/x") &&
           streq(s.network_namespace_path, "/run/netns/x"), "--network-namespace-path");
        settings_done(&s);
        ok(accepts(&s, OPT_NETWORK_NAMESPACE_EXPORT, "--network-namespace-export") &&
           streq(s.network_namespace_export, ""), "--network-namespace-export (default: filled in by verify)");
        settings_done(&s);
        ok(accepts(&s, OPT_VETH_HOST_CONFIG, "--network-veth-host-config=/h") && streq(s.veth_host_config, "/h"),
           "--network-veth-host-config");
        settings_done(&s);
        ok(accepts(&s, OPT_VETH_CONTAINER_CONFIG, "--network-veth-container-config=/c") &&
           streq(s.veth_container_config, "/c"), "--network-veth-container-config");
        settings_done(&s);
        ok(accepts(&s, OPT_CAPABILITY, "--capability=CAP_NET_ADMIN") &&
           s.capability_add == (UINT64_C(1) << 12), "--capability");
        settings_done(&s);
        refuses(OPT_CAPABILITY, "--capability=NET_ADMIN,CAP_X", "is not a capability name");
        /* as systemd-nspawn takes them: any case, or the number */
        ok(accepts(&s, OPT_CAPABILITY, "--capability=cap_sys_time,21") &&
           s.capability_add == ((UINT64_C(1) << 25) | (UINT64_C(1) << 21)), "--capability=cap_sys_time,21");
        settings_done(&s);
        refuses(OPT_CAPABILITY, "--capability=41", "'41' is not a capability name");
        refuses(OPT_CAPABILITY, "--capability=012", "'012' is not");
        refuses(OPT_CAPABILITY, "--capability=99999999999999999999", "is not a capability name");
        refuses(OPT_CAPABILITY, "--capability=1x", "'1x'");
        ok(accepts(&s, OPT_DROP_CAPABILITY, "--drop-capability=CAP_CHOWN") && s.capability_drop == 1,
           "--drop-capability");
        settings_done(&s);
        refuses(OPT_DROP_CAPABILITY, "--drop-capability=CAP_NOPE", "'CAP_NOPE'");
        ok(accepts(&s, OPT_SYSTEM_CALL_FILTER, "--system-call-filter=~@swap kexec_load") &&
           streq(s.syscall_deny[0], "@swap") && streq(s.syscall_deny[1], "kexec_load"), "--system-call-filter");
        settings_done(&s);
        refuses(OPT_SYSTEM_CALL_FILTER, "--system-call-filter=@nope", "'@nope' is neither a system call nor");
        ok(accepts(&s, OPT_CONSOLE, "--console=passive") && s.console == CONSOLE_PASSIVE, "--console");
        settings_done(&s);
        refuses(OPT_CONSOLE, "--console=loud", "Invalid --console 'loud'");
        ok(accepts(&s, OPT_PIPE, "--pipe") && s.console == CONSOLE_PIPE, "--pipe");
        settings_done(&s);
        ok(accepts(&s, OPT_STORE_DIR, "--store-dir=/tmp/store") && streq(s.store_dir, "/tmp/store"), "--store-dir");
        settings_done(&s);
        refuses(OPT_STORE_DIR, "--store-dir=/", "Invalid --store-dir '/'");
        settings_init(&s);
        ok(tasks_max_for(&s, false) == 16384 && tasks_max_for(&s, true) == TASKS_MAX_INFINITY,
           "no --tasks-max: 16384 of ours without a unit, none of ours under one (its TasksMax= applies)");
        settings_done(&s);
        ok(accepts(&s, OPT_TASKS_MAX, "--tasks-max=64") && s.tasks_max == 64 && s.tasks_max_set &&
           tasks_max_for(&s, true) == 64 && tasks_max_for(&s, false) == 64, "--tasks-max=64, under a unit too");
        settings_done(&s);
        ok(accepts(&s, OPT_TASKS_MAX, "--tasks-max=infinity") && s.tasks_max == TASKS_MAX_INFINITY,
           "--tasks-max=infinity");
        settings_done(&s);
        refuses(OPT_TASKS_MAX, "--tasks-max=0", "Invalid --tasks-max '0'");
        refuses(OPT_TASKS_MAX, "--tasks-max=-1", "Invalid --tasks-max '-1'");
        refuses(OPT_TASKS_MAX, "--tasks-max=12k", "Invalid --tasks-max '12k'");
        refuses(OPT_TASKS_MAX, "--tasks-max=18446744073709551616", "Invalid --tasks-max");
        ok(accepts(&s, OPT_TMPFS_LIMITS, "--tmpfs-limits=/run:size=50%,nr_inodes=1m") &&
           streq(s.tmpfs_limits[TMPFS_LIMIT_RUN].size, "50%") &&
           streq(s.tmpfs_limits[TMPFS_LIMIT_RUN].nr_inodes, "1m"), "--tmpfs-limits=/run:size=50%%,nr_inodes=1m");
        settings_done(&s);
        ok(accepts(&s, OPT_TMPFS_LIMITS, "--tmpfs-limits=/:size=2g") && streq(s.tmpfs_limits[TMPFS_LIMIT_ROOT].size, "2g") &&
           !s.tmpfs_limits[TMPFS_LIMIT_ROOT].nr_inodes, "--tmpfs-limits=/:size=2g");
        settings_done(&s);
        refuses(OPT_TMPFS_LIMITS, "--tmpfs-limits=/var:size=1m", "Invalid --tmpfs-limits '/var:size=1m'");
        refuses(OPT_TMPFS_LIMITS, "--tmpfs-limits=/run:size=101%", "Invalid --tmpfs-limits '/run:size=101%'");
        refuses(OPT_TMPFS_LIMITS, "--tmpfs-limits=/run:nr_inodes=5%", "Invalid --tmpfs-limits");
        refuses(OPT_TMPFS_LIMITS, "--tmpfs-limits=/run:uid=0", "Invalid --tmpfs-limits");
        refuses(OPT_TMPFS_LIMITS, "--tmpfs-limits=/run", "Invalid --tmpfs-limits '/run'");
        ok(accepts(&s, OPT_PORT, "--port=udp:5353:53") && s.n_ports == 1 && s.ports[0].protocol == IPPROTO_UDP &&
           s.ports[0].host_port == 5353 && s.ports[0].container_port == 53, "--port=udp:5353:53");
        settings_done(&s);
        refuses(OPT_PORT, "--port=udp:0", "Invalid --port 'udp:0'");
        refuses(OPT_PORT, "--port=127.0.0.1:80", "Invalid --port '127.0.0.1:80': a loopback address");

        for (int id = 0; id < _OPT_MAX; id++)
                ok(tested[id], "option %s is tested here", option_display_name(option_by_id((OptionId) id)));
}

static int check_v(char **ret_error, const char *const *args) {
        _cleanup_free_ char *unused = NULL;
        OptionsAction action;
        Settings s;
        int r;

        r = parse_v(&s, &action, ret_error, args);
        if (r >= 0)
                r = options_check(&s, ret_error);
        settings_done(&s);
        return r;
}
#define CHECK(err, ...) check_v((err), (const char *const[]) { __VA_ARGS__, NULL })

static char *write_temp(const char *text) {
        char path[] = "/tmp/test-options-XXXXXX";
        int fd = mkstemp(path);

        if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t) strlen(text))
                abort();
        close(fd);
        return strdup(path);
}

/* options_check(): what a start refuses before it looks at the host, with a start's message. */
static void test_check(void) {
        _cleanup_free_ char *error = NULL, *good = write_temp("[Network]\nAddress=10.1.2.3/24\n"),
                            *match = write_temp("[Match]\nName=eth0\n"), *junk = write_temp("[Netwrk]\nA=b\n");
        int r;

        ok(CHECK(&error, "--init=/i", "-n", "--tmpfs=/t:0700", "--capability=CAP_NET_ADMIN") >= 0 && !error,
           "valid options pass, without a message");
        r = CHECK(&error, "--init=/i", "--command-not-init");
        ok(r == -EINVAL, "an unknown option fails the check");
        r = CHECK(&error, "-n");
        ok(r == -EINVAL && error && strstr(error, "Nothing to run"), "nothing to run: %s", error ?: "");
        r = CHECK(&error, "--init=/i", "--network-zone=a", "--network-bridge=br0");
        ok(r == -EINVAL && error && strstr(error, "exclude each other"), "settings_verify() runs: %s", error ?: "");
        r = CHECK(&error, "--init=/i", "-n", "--network-veth-container-config", good);
        ok(r >= 0, "a valid override file passes (%s)", error ?: "");
        r = CHECK(&error, "--init=/i", "-n", "--network-veth-host-config", match);
        ok(r == -EINVAL && error && strstr(error, "Invalid network settings in") && strstr(error, match),
           "an override with [Match] fails as a start would: %s", error ?: "");
        r = CHECK(&error, "--init=/i", "--network-zone=z", "--network-veth-container-config", junk);
        ok(r < 0 && error && strstr(error, junk), "an override with an unknown section: %s", error ?: "");
        r = CHECK(&error, "--init=/i", "-n", "--network-veth-container-config=/nonexistent/x.network");
        ok(r < 0 && error && strstr(error, "/nonexistent/x.network"), "an override that cannot be read: %s",
           error ?: "");
        {
                static const struct {
                        const char *text;
                        bool valid;
                } cases[] = {
                        { "[Network]\nAddress=10.1.2.3/24 fd00::2/64\nGateway=10.1.2.1\n", true },
                        { "[Network]\nAddress=192.168.1.5\nGateway=_dhcp4\n", true },
                        { "[Address]\nAddress=fe80::1/64\n[Route]\nGateway=fe80::2\n", true },
                        { "[Network]\nAddress=\n", true },
                        { "[Network]\nAddress=192.168.1.300/24\n", false },
                        { "[Network]\nAddress=10.0.0.1/33\n", false },
                        { "[Network]\nAddress=fd00::1/129\n", false },
                        { "[Network]\nAddress=fd00::1::2/64\n", false },
                        { "[Network]\nAddress=10.0.0.1/\n", false },
                        { "[Network]\nAddress=host.example/24\n", false },
                        { "[Network]\nGateway=10.0.0.1/24\n", false },
                        { "[Address]\nAddress=10.0.0.01/8\n", false },
                        { "[Route]\nGateway=10.0.0\n", false },
                };

                for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                        _cleanup_free_ char *f = write_temp(cases[i].text);

                        r = CHECK(&error, "--init=/i", "-n", "--network-veth-container-config", f);
                        if (cases[i].valid)
                                ok(r >= 0, "override addresses accepted: %s (%s)", cases[i].text, error ?: "");
                        else
                                ok(r == -EINVAL && error && strstr(error, "is not an IP address"),
                                   "override addresses refused, naming file, line and value: %s", error ?: "");
                        unlink(f);
                }
        }
        r = CHECK(&error, "--chown-foreign=/srv/x");
        ok(r >= 0, "--chown-foreign alone needs nothing to run");
        r = CHECK(&error, "--init=/i", "--chown-foreign=/srv/x");
        ok(r == -EINVAL && error && strstr(error, "--chown-foreign='/srv/x' changes a host directory"),
           "--chown-foreign among a container's options is refused: %s", error ?: "");
        unlink(good);
        unlink(match);
        unlink(junk);
}

static void test_help(void) {
        _cleanup_free_ char *text = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&text, &size);

        if (!f)
                abort();
        options_help(f);
        fclose(f);
        for (size_t i = 0; i < option_table_size; i++) {
                const Option *o = &option_table[i];
                _cleanup_free_ char *want = o->name ? strprintf("--%s", o->name) : strprintf("-%c ", o->short_name);

                if (o->flags & OPTION_HIDDEN)
                        ok(!strstr(text, want), "--help does not show %s", want);
                else
                        ok(strstr(text, want), "--help shows %s", want);
        }
}

int main(void) {
        test_table();
        test_storable();
        test_no_abbreviations();
        test_walk();
        test_each_option();
        test_check();
        test_help();
        return tap_done();
}
