/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Claims about spawn/settings.c: what the option parsers accept and what settings_verify() fills in or refuses. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "inputs.h"
#include "settings.h"
#include "strutil.h"
#include "tap.h"

static char *repeat_char(char c, size_t n) {
        char *s = malloc(n + 1);

        if (!s)
                abort();
        memset(s, c, n);
        s[n] = 0;
        return s;
}

static void test_machine_name(void) {
        static const char *const valid[] = { "a", "web-1", "a.b.c", "A9", "x-y-z.example-1" };
        static const char *const invalid[] = { "", "-a", "a-", "a..b", ".a", "a.", "a_b", "a b", "\xc3\xa4",
                                               "a-.b", "a.-b", "a/b", "a\n" };
        _cleanup_free_ char *label63 = repeat_char('a', 63), *label64 = repeat_char('a', 64);
        _cleanup_free_ char *len64 = repeat_char('a', 64), *len65 = repeat_char('a', 65);

        for (size_t i = 0; i < ELEMENTSOF(valid); i++)
                ok(machine_name_is_valid(valid[i]), "machine name '%s' is valid", valid[i]);
        for (size_t i = 0; i < ELEMENTSOF(invalid); i++)
                ok(!machine_name_is_valid(invalid[i]), "machine name '%s' is invalid", invalid[i]);
        ok(!machine_name_is_valid(NULL), "machine name NULL is invalid");

        /* 64 characters in total with labels of at most 63: "aaa…a.aaa…a" (32 + 1 + 31) */
        len64[32] = '.';
        ok(machine_name_is_valid(len64), "a 64-character machine name is valid");
        len65[32] = '.';
        ok(!machine_name_is_valid(len65), "a 65-character machine name is invalid");
        ok(machine_name_is_valid(label63), "a single label of 63 characters is valid");
        ok(!machine_name_is_valid(label64), "a label of 64 characters is invalid");
}

static void test_env_assignment(void) {
        static const char *const valid[] = { "A=b", "A=", "_x1=y", "PATH=/bin:/usr/bin", "A=b=c", "a_B_9=\xc3\xa4" };
        static const char *const invalid[] = { "", "A", "=b", "1A=b", "A-B=c", "A B=c", "\xc3\xa4=b", "A=b\n",
                                               "A=\tb" };

        for (size_t i = 0; i < ELEMENTSOF(valid); i++)
                ok(env_assignment_is_valid(valid[i]), "environment assignment '%s' is valid", valid[i]);
        for (size_t i = 0; i < ELEMENTSOF(invalid); i++)
                ok(!env_assignment_is_valid(invalid[i]), "environment assignment '%s' is invalid", invalid[i]);
}

static void test_path_normalized(void) {
        static const char *const valid[] = { "/", "/a", "/a/b", "/a.b/...", "/.hidden", "/a b" };
        static const char *const invalid[] = { "", "a", "a/b", "//", "//a", "/a/", "/a//b", "/.", "/./a", "/a/.",
                                               "/..", "/a/../b", "/a/..", "/a\n", "/a\x7f" };
        _cleanup_free_ char *long_path = repeat_char('a', 5000);

        for (size_t i = 0; i < ELEMENTSOF(valid); i++)
                ok(path_is_normalized_absolute(valid[i]), "path '%s' is normalized and absolute", valid[i]);
        for (size_t i = 0; i < ELEMENTSOF(invalid); i++)
                ok(!path_is_normalized_absolute(invalid[i]), "path '%s' is not normalized and absolute", invalid[i]);
        ok(!path_is_normalized_absolute(NULL), "path NULL is not normalized and absolute");
        long_path[0] = '/';
        ok(!path_is_normalized_absolute(long_path), "a path of PATH_MAX or more is refused");
}

static void test_private_users(void) {
        static const struct {
                const char *arg;
                UsernsMode mode;
        } modes[] = {
                { "pick", USERNS_PICK }, { "yes", USERNS_PICK }, { "true", USERNS_PICK },
                { "no", USERNS_NO },     { "false", USERNS_NO }, { "off", USERNS_NO },
                { "0", USERNS_FIXED }, /* a number, never a quiet "no" (uid_range_refusal() refuses base 0) */
                { "1", USERNS_FIXED }, /* likewise never a "yes" */
        };
        static const struct {
                const char *arg;
                int error;
        } bad[] = {
                { "4294967295", -ERANGE },
                { "65536:0", -ERANGE },
                { "4294901760", -ERANGE }, /* base + 65536 passes UINT32_MAX */
                { "4294901761:65535", -ERANGE },
                { "abc", -EINVAL },
                { "-1", -EINVAL },
                { "1:", -EINVAL },
                { ":5", -EINVAL },
                { "65536:", -EINVAL },
                { "65536:1:2", -EINVAL },
                { " 65536", -EINVAL },
                { "0x10000", -EINVAL },
                { "", -EINVAL },
        };

        for (size_t i = 0; i < ELEMENTSOF(modes); i++) {
                UsernsMode mode = (UsernsMode) -1;
                uid_t base = 7;
                uint32_t size = 7;

                is_int(parse_private_users(modes[i].arg, &mode, &base, &size), 0, "--private-users=%s parses",
                       modes[i].arg);
                is_int(mode, modes[i].mode, "--private-users=%s gives mode %d", modes[i].arg, modes[i].mode);
        }

        {
                UsernsMode mode = USERNS_PICK;
                uid_t base = 0;
                uint32_t size = 0;

                is_int(parse_private_users("65536", &mode, &base, &size), 0, "--private-users=65536 parses");
                is_int(mode, USERNS_FIXED, "--private-users=65536 is a fixed range");
                is_int(base, 65536, "--private-users=65536 has base 65536");
                is_int(size, UID_RANGE_SIZE, "--private-users=65536 has the default size 65536");

                is_int(parse_private_users("65536:1000", &mode, &base, &size), 0, "--private-users=65536:1000 parses");
                is_int(mode, USERNS_FIXED, "--private-users=65536:1000 is a fixed range");
                is_int(base, 65536, "--private-users=65536:1000 has base 65536");
                is_int(size, 1000, "--private-users=65536:1000 has size 1000");

                /* the highest range that fits: its last ID is 4294967294, (uid_t) -1 stays out */
                is_int(parse_private_users("4294901759", &mode, &base, &size), 0,
                       "--private-users=4294901759 (last ID 4294967294) parses");
                is_int(base, 4294901759U, "--private-users=4294901759 has that base");
        }

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                UsernsMode mode = USERNS_PICK;
                uid_t base = 7;
                uint32_t size = 7;
                int r = parse_private_users(bad[i].arg, &mode, &base, &size);

                is_int(r, bad[i].error, "--private-users='%s' is refused", bad[i].arg);
                ok(mode == USERNS_PICK && base == 7 && size == 7,
                   "--private-users='%s' leaves the outputs alone on failure", bad[i].arg);
        }
}

static void test_uid_range_refusal(void) {
        static const struct {
                uint64_t base, size;
                bool usable;
        } cases[] = {
                { 0, 65536, false },                     /* root inside = root outside */
                { 1, 65536, false },                     /* unaligned */
                { 65537, 65536, false },
                { 65536 + 32768, 65536, false },
                { 65536, 1000, false },                  /* not 64K */
                { 65536, 131072, false },                /* 64K locks could not keep a 128K range apart */
                { 0x7FFE0000, 65536, false },            /* the foreign range itself */
                { 0x7FFD0000, 65536, true },             /* just below it */
                { 0x7FFF0000, 65536, false },            /* past it */
                { 0xFFFF0000 - 65536, 65536, false },
                { 65536, 65536, true },
                { 0x00080000, 65536, true },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const char *why = uid_range_refusal(cases[i].base, cases[i].size);

                ok(!why == cases[i].usable, "range %#llx:%llu is %s (%s)", (unsigned long long) cases[i].base,
                   (unsigned long long) cases[i].size, cases[i].usable ? "usable" : "refused", why ?: "-");
        }
}

static void test_bind_idmap(void) {
        BindMount b;

        is_int(parse_bind_spec("/a:/b:foreign", false, &b), 0, "bind option 'foreign' parses");
        is_int(b.idmap, IDMAP_FOREIGN, "and asks for the foreign range");
        is_int(bind_idmap(&b, true), IDMAP_FOREIGN, "and gets it");
        free(b.source);
        free(b.destination);
        is_int(parse_bind_spec("/a:/b", false, &b), 0, "a writable bind parses");
        is_int(bind_idmap(&b, true), IDMAP_FOREIGN, "a writable bind is foreign by default: root inside never writes "
               "host-root files");
        is_int(bind_idmap(&b, false), IDMAP_NO, "without a user namespace nothing is mapped");
        b.read_only = true;
        is_int(bind_idmap(&b, true), IDMAP_YES, "a read-only bind keeps identity mapping (nothing can be written)");
        free(b.source);
        free(b.destination);
        is_int(parse_bind_spec("/a:/b:idmap", false, &b), 0, "bind option 'idmap' parses");
        is_int(bind_idmap(&b, true), IDMAP_YES, "and is identity, when asked for");
        free(b.source);
        free(b.destination);
}

static void test_console_mode(void) {
        static const struct {
                const char *arg;
                ConsoleMode mode;
        } good[] = {
                { "interactive", CONSOLE_INTERACTIVE },
                { "read-only", CONSOLE_READ_ONLY },
                { "passive", CONSOLE_PASSIVE },
                { "pipe", CONSOLE_PIPE },
        };
        static const char *const bad[] = { "", "bogus", "Interactive", "pipe ", "autopipe" };

        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                ConsoleMode m = CONSOLE_AUTO;

                is_int(parse_console_mode(good[i].arg, &m), 0, "--console=%s parses", good[i].arg);
                is_int(m, good[i].mode, "--console=%s gives mode %d", good[i].arg, good[i].mode);
        }
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                ConsoleMode m = CONSOLE_AUTO;

                is_int(parse_console_mode(bad[i], &m), -EINVAL, "--console='%s' is refused", bad[i]);
        }
}

static void test_signal(void) {
        const struct {
                const char *arg;
                int sig;
        } good[] = {
                { "SIGTERM", SIGTERM },        { "TERM", SIGTERM },           { "15", 15 },
                { "SIGKILL", SIGKILL },        { "KILL", SIGKILL },           { "SIGHUP", SIGHUP },
                { "INT", SIGINT },             { "SIGPWR", SIGPWR },          { "1", 1 },
                { "64", SIGRTMAX },            { "SIGRTMIN+3", SIGRTMIN + 3 }, { "RTMIN+3", SIGRTMIN + 3 },
                { "RTMIN", SIGRTMIN },         { "SIGRTMIN", SIGRTMIN },      { "RTMIN+0", SIGRTMIN },
                { "SIGRTMIN+30", SIGRTMIN + 30 },
        };
        static const char *const bad[] = { "SIGFOO", "0", "65", "", "SIG", "sigterm", "term", "SIG15", "-15",
                                           "15x", "RTMIN+", "RTMIN-1", "RTMINX", "RTMIN+x", "RTMIN++1" };
        int sig;

        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                sig = 0;
                is_int(parse_signal(good[i].arg, &sig), 0, "signal '%s' parses", good[i].arg);
                is_int(sig, good[i].sig, "signal '%s' is %d", good[i].arg, good[i].sig);
        }
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                sig = 0;
                ok(parse_signal(bad[i], &sig) < 0, "signal '%s' is refused", bad[i]);
                is_int(sig, 0, "signal '%s' leaves the output alone", bad[i]);
        }
        /* SIGRTMIN+N past SIGRTMAX */
        ok(parse_signal("SIGRTMIN+31", &sig) < 0, "signal 'SIGRTMIN+31' (past SIGRTMAX) is refused");
        ok(parse_signal("RTMIN+99999999999999999999999", &sig) < 0, "signal 'RTMIN+<overflow>' is refused");
}

static void test_boolean(void) {
        static const char *const yes[] = { "1", "yes", "y", "true", "t", "on", "YES", "True", "ON" };
        static const char *const no[] = { "0", "no", "n", "false", "f", "off", "NO", "False", "OFF" };
        static const char *const bad[] = { "", "2", "yess", "nope", "of", " yes", "yes ", "-1" };

        for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
                bool b = false;

                is_int(parse_boolean(yes[i], &b), 0, "boolean '%s' parses", yes[i]);
                ok(b, "boolean '%s' is true", yes[i]);
        }
        for (size_t i = 0; i < ELEMENTSOF(no); i++) {
                bool b = true;

                is_int(parse_boolean(no[i], &b), 0, "boolean '%s' parses", no[i]);
                ok(!b, "boolean '%s' is false", no[i]);
        }
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                bool b = false;

                is_int(parse_boolean(bad[i], &b), -EINVAL, "boolean '%s' is refused", bad[i]);
        }
}

static void bind_done(BindMount *b) {
        free(b->source);
        free(b->destination);
        *b = (BindMount) {};
}

static void check_bind(const char *spec, bool read_only, const char *src, const char *dst, bool recursive,
                       IdmapMode idmap) {
        BindMount b = {};

        if (!is_int(parse_bind_spec(spec, read_only, &b), 0, "bind '%s' parses", spec))
                return;
        is_str(b.source, src, "bind '%s': source", spec);
        is_str(b.destination, dst, "bind '%s': destination", spec);
        is_int(b.read_only, read_only, "bind '%s': read-only is %s", spec, read_only ? "set" : "unset");
        is_int(b.recursive, recursive, "bind '%s': recursive is %s", spec, recursive ? "set" : "unset");
        is_int(b.idmap, idmap, "bind '%s': idmap mode %d", spec, idmap);
        bind_done(&b);
}

static void test_bind_spec(void) {
        static const char *const bad[] = { "relative", "", ":/b", "/a:b", "/a:/b:bogus", "/a:/b:c:d", "/a:/",
                                           "/a/../b", "/a/./b", "/a/", "/a:/b/", "/a:/b:idmap,,rbind", "/a:/b:IDMAP",
                                           "/a\n:/b" };

        check_bind("/src", false, "/src", "/src", true, IDMAP_AUTO);
        check_bind("/src", true, "/src", "/src", true, IDMAP_AUTO);
        check_bind("/src:/dst", false, "/src", "/dst", true, IDMAP_AUTO);
        check_bind("/src:", false, "/src", "/src", true, IDMAP_AUTO);
        check_bind("/src:/dst:idmap", true, "/src", "/dst", true, IDMAP_YES);
        check_bind("/src:/dst:noidmap", false, "/src", "/dst", true, IDMAP_NO);
        check_bind("/src:/dst:norbind", false, "/src", "/dst", false, IDMAP_AUTO);
        check_bind("/src:/dst:norbind,rbind", false, "/src", "/dst", true, IDMAP_AUTO);
        check_bind("/src:/dst:idmap,norbind", false, "/src", "/dst", false, IDMAP_YES);
        check_bind("/src::norbind", false, "/src", "/src", false, IDMAP_AUTO);
        check_bind("/src::noidmap", false, "/src", "/src", true, IDMAP_NO);

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                BindMount b = { .source = (char *) "untouched" };

                is_int(parse_bind_spec(bad[i], false, &b), -EINVAL, "bind '%s' is refused", bad[i]);
                is_str(b.source, "untouched", "bind '%s' leaves the output alone", bad[i]);
        }

        /* "/a:/" is refused because the root belongs to the container; the one-field form must not slip past */
        {
                static const char *const root_specs[] = { "/", "/::norbind" };

                for (size_t i = 0; i < ELEMENTSOF(root_specs); i++) {
                        BindMount b = {};
                        int r = parse_bind_spec(root_specs[i], false, &b);

                        ok(r < 0 || !streq(b.destination, "/"), "bind '%s' does not mount over the root",
                           root_specs[i]);
                        if (r >= 0)
                                bind_done(&b);
                }
        }
}

static void test_tmpfs_spec(void) {
        static const struct {
                const char *spec;
                const char *dst;
                mode_t mode;
        } good[] = {
                { "/x", "/x", 0755 },         { "/x:1777", "/x", 01777 }, { "/x/y:0700", "/x/y", 0700 },
                { "/x:0", "/x", 0 },          { "/x:7777", "/x", 07777 },
                /* systemd-nspawn's (and nixpkgs') form */
                { "/var/cache:mode=0755,size=512M", "/var/cache", 0755 }, { "/x:size=10%", "/x", 0755 },
                { "/x:nr_inodes=1k,mode=1777", "/x", 01777 }, { "/x:size=1g,size=2g", "/x", 0755 },
        };
        static const char *const bad[] = { "/x:9", "/", "x", "", "/x:", "/x:10000", "/x:7a", "/x:/y", "/:755",
                                           "/x/", "/x/../y", "/x:-1", "/x:mode=9", "/x:mode=", "/x:size=0",
                                           "/x:size=101%", "/x:size=1t", "/x:size=1MB", "/x:size=", "/x:nr_inodes=5%",
                                           "/x:uid=0", "/x:gid=0", "/x:mode=0755,", "/x:mode=0755,noexec",
                                           "/x:size=-1", "/x:size=1 ", "/x:mode=+755",
                                           "/x:size=9999999999999999999k" };

        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                TmpfsMount t = {};

                if (!is_int(parse_tmpfs_spec(good[i].spec, &t), 0, "tmpfs '%s' parses", good[i].spec))
                        continue;
                is_str(t.destination, good[i].dst, "tmpfs '%s': destination", good[i].spec);
                is_int(t.mode, good[i].mode, "tmpfs '%s': mode %04o", good[i].spec, (unsigned) good[i].mode);
                free(t.destination);
                free(t.size);
                free(t.nr_inodes);
        }
        {
                TmpfsMount t = {};

                is_int(parse_tmpfs_spec("/x:size=512M,nr_inodes=4k", &t), 0, "tmpfs with size= and nr_inodes=");
                is_str(t.size, "512M", "size= is kept as tmpfs takes it");
                is_str(t.nr_inodes, "4k", "nr_inodes= too");
                free(t.destination);
                free(t.size);
                free(t.nr_inodes);
        }
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                TmpfsMount t = { .mode = 01234 };

                is_int(parse_tmpfs_spec(bad[i], &t), -EINVAL, "tmpfs '%s' is refused", bad[i]);
                ok(!t.destination && t.mode == 01234, "tmpfs '%s' leaves the output alone", bad[i]);
        }
}

static void test_parse_uid(void) {
        uint32_t u = 0;

        is_int(parse_uid("0", &u), 0, "uid '0' parses");
        is_int(u, 0, "uid '0' is 0");
        is_int(parse_uid("4294967294", &u), 0, "uid '4294967294' parses");
        is_int(u, 4294967294U, "uid '4294967294' is 4294967294");
        is_int(parse_uid("4294967295", &u), -ERANGE, "uid '4294967295' ((uid_t) -1) is refused");
        is_int(parse_uid("99999999999999999999999", &u), -ERANGE, "uid past 64 bits is refused");
        is_int(parse_uid("-1", &u), -EINVAL, "uid '-1' is refused");
        is_int(parse_uid("", &u), -EINVAL, "uid '' is refused");
        is_int(parse_uid("1 ", &u), -EINVAL, "uid '1 ' is refused");
}

/* A fresh, verified-ready Settings that runs a command, so each error case changes one thing. */
static void settings_with_command(Settings *s) {
        settings_init(s);
        if (settings_add_string(&s->command, "/bin/true") < 0)
                abort();
}

/* The store checks apply when the container has a closure (verify does not read the file). */
static void settings_with_closure(Settings *s) {
        settings_with_command(s);
        if (settings_add_string(&s->closure_files, "/closure") < 0)
                abort();
}

/* settings_verify() with its message checked: present exactly when something is refused. */
static int verify(Settings *s, bool tty) {
        _cleanup_free_ char *error = NULL;
        int r = settings_verify(s, tty, &error);

        if ((r == -EINVAL) != !!error)
                diag("settings_verify() returned %d with%s a message", r, error ? "" : "out");
        return r == -EINVAL && !error ? -EBADMSG : r;
}

/* inputs_check(), the host half of the checks. */
static int check(const Settings *s) {
        _cleanup_free_ char *error = NULL;
        int r = inputs_check(s, &error);

        return r < 0 && !error ? -EBADMSG : r;
}

static void test_verify_defaults(const char *tmpdir) {
        Settings s;

        /* --init given, nothing else */
        settings_init(&s);
        s.init = strdup("/nix/store/00000000000000000000000000000000-nixos-system/init");
        is_int(verify(&s, true), 0, "verify: --init alone is enough");
        is_str(s.machine, "nixos", "verify: the machine name defaults to 'nixos' without -D");
        is_str(s.hostname, "nixos", "verify: the hostname defaults to the machine name");
        is_str(s.store_dir, "/nix/store", "verify: the store directory defaults to /nix/store");
        is_int(s.kill_signal, SIGRTMIN + 3, "verify: an init is stopped with SIGRTMIN+3");
        is_int(s.console, CONSOLE_INTERACTIVE, "verify: console auto on a tty is interactive");
        ok(sd_id128_is_null(s.uuid), "verify: no UUID is made up (main picks one: verify does no I/O)");
        is_int(s.userns, USERNS_PICK, "verify: the user namespace mode stays pick");
        settings_done(&s);

        /* a command, not on a tty */
        settings_with_command(&s);
        is_int(verify(&s, false), 0, "verify: a command alone is enough");
        is_int(s.kill_signal, SIGKILL, "verify: a command is stopped with SIGKILL");
        is_int(s.console, CONSOLE_READ_ONLY, "verify: console auto without a tty is read-only");
        ok(!s.init, "verify: no init is made up when a command is given");
        settings_done(&s);

        /* what was given is kept */
        settings_with_command(&s);
        s.machine = strdup("web-1");
        s.hostname = strdup("other.example");
        s.kill_signal = SIGTERM;
        s.console = CONSOLE_PIPE;
        s.uuid = SD_ID128_MAKE(01, 23, 45, 67, 89, ab, cd, ef, 01, 23, 45, 67, 89, ab, cd, ef);
        is_int(verify(&s, true), 0, "verify: explicit settings pass");
        is_str(s.machine, "web-1", "verify: an explicit machine name is kept");
        is_str(s.hostname, "other.example", "verify: an explicit hostname is kept");
        is_int(s.kill_signal, SIGTERM, "verify: an explicit kill signal is kept");
        is_int(s.console, CONSOLE_PIPE, "verify: an explicit console mode is kept");
        ok(sd_id128_equal(s.uuid, SD_ID128_MAKE(01, 23, 45, 67, 89, ab, cd, ef, 01, 23, 45, 67, 89, ab, cd, ef)),
           "verify: an explicit UUID is kept");
        settings_done(&s);

        /* -D DIR: the machine name comes from the directory, the init defaults to /sbin/init */
        {
                _cleanup_free_ char *dir = NULL;

                if (asprintf(&dir, "%s/debian_12", tmpdir) < 0 || mkdir(dir, 0755) < 0)
                        abort();
                settings_init(&s);
                s.directory = strdup(dir);
                is_int(verify(&s, false), 0, "verify: -D alone is enough");
                is_str(s.machine, "debian-12", "verify: the machine name is the directory's, made a hostname");
                is_str(s.hostname, "debian-12", "verify: the hostname follows");
                is_str(s.init, "/sbin/init", "verify: -D without a command runs /sbin/init");
                is_int(s.kill_signal, SIGRTMIN + 3, "verify: ... and stops it with SIGRTMIN+3");
                settings_done(&s);
                (void) rmdir(dir);
        }
}

static void test_verify_errors(const char *tmpdir) {
        _cleanup_free_ char *missing = NULL, *file = NULL;
        Settings s;

        if (asprintf(&missing, "%s/does-not-exist", tmpdir) < 0 || asprintf(&file, "%s/a-file", tmpdir) < 0)
                abort();
        {
                FILE *f = fopen(file, "we");

                if (!f)
                        abort();
                fclose(f);
        }

        settings_init(&s);
        is_int(verify(&s, false), -EINVAL, "verify: nothing to run is refused");
        settings_done(&s);

        settings_with_command(&s);
        s.init = strdup("/sbin/init");
        is_int(verify(&s, false), -EINVAL, "verify: --init together with a command is refused");
        settings_done(&s);

        settings_init(&s);
        s.init = strdup("sbin/init");
        is_int(verify(&s, false), -EINVAL, "verify: a relative --init is refused");
        settings_done(&s);

        settings_with_command(&s);
        s.machine = strdup("bad_name");
        is_int(verify(&s, false), -EINVAL, "verify: an invalid machine name is refused");
        settings_done(&s);

        settings_init(&s);
        s.directory = strdup(missing);
        is_int(verify(&s, false), 0, "verify: a missing -D directory is not verify's to see");
        is_int(check(&s), -ENOENT, "inputs: a missing -D directory is refused");
        settings_done(&s);

        settings_init(&s);
        s.directory = strdup(file);
        is_int(verify(&s, false), 0, "verify: a -D that is a file passes verify");
        is_int(check(&s), -EINVAL, "inputs: a -D that is not a directory is refused");
        settings_done(&s);

        settings_init(&s);
        s.directory = strdup("/");
        is_int(verify(&s, false), 0, "verify: -D / passes verify");
        is_int(check(&s), -EINVAL, "inputs: -D of the host's root is refused");
        settings_done(&s);

        settings_init(&s);
        s.directory = strdup("tmp");
        is_int(verify(&s, false), -EINVAL, "verify: a relative -D is refused");
        settings_done(&s);

        settings_with_command(&s);
        is_int(settings_add_bind(&s, missing, false), 0, "verify: a bind of a missing source parses");
        is_int(verify(&s, false), 0, "verify: a bind of a missing source passes verify");
        is_int(check(&s), -ENOENT, "inputs: a bind of a missing source is refused");
        settings_done(&s);

        settings_with_command(&s);
        s.userns = USERNS_NO;
        is_int(settings_add_bind(&s, "/tmp:/mnt:idmap", false), 0, "verify: an idmap bind parses");
        is_int(verify(&s, false), -EINVAL, "verify: an idmap bind with -U no is refused");
        settings_done(&s);

        settings_with_command(&s);
        s.userns = USERNS_NO;
        is_int(settings_add_bind(&s, "/tmp:/mnt:noidmap", false), 0, "verify: a noidmap bind parses");
        is_int(verify(&s, false), 0, "verify: a noidmap bind with -U no passes");
        settings_done(&s);

        settings_with_closure(&s);
        is_int(settings_add_bind(&s, "/tmp:/nix/store/foo", false), 0, "verify: a bind into the store parses");
        is_int(verify(&s, false), -EINVAL, "verify: a bind destination inside /nix/store is refused");
        settings_done(&s);

        settings_with_closure(&s);
        is_int(settings_add_bind(&s, "/tmp:/nix/store", false), 0, "verify: a bind onto the store parses");
        is_int(verify(&s, false), -EINVAL, "verify: a bind destination of /nix/store itself is refused");
        settings_done(&s);

        settings_with_closure(&s);
        is_int(settings_add_bind(&s, "/tmp:/nix/storage", false), 0, "verify: a bind to /nix/storage parses");
        is_int(verify(&s, false), 0, "verify: /nix/storage is not inside /nix/store");
        settings_done(&s);

        /* A bind or tmpfs on an ancestor of the store is mounted after the store and covers it: "/nix" from the
         * host would show the host's whole store, which is what the check above is there to prevent. */
        {
                static const char *const ancestors[] = { "/tmp:/nix", "/tmp:/nix:norbind" };

                for (size_t i = 0; i < ELEMENTSOF(ancestors); i++) {
                        settings_with_closure(&s);
                        if (settings_add_bind(&s, ancestors[i], false) < 0)
                                abort();
                        is_int(verify(&s, false), -EINVAL,
                               "verify: bind '%s' over an ancestor of /nix/store is refused", ancestors[i]);
                        settings_done(&s);
                }
                settings_with_closure(&s);
                if (settings_add_tmpfs(&s, "/nix") < 0)
                        abort();
                is_int(verify(&s, false), -EINVAL, "verify: a tmpfs over /nix (hiding the store) is refused");
                settings_done(&s);
        }

        settings_with_closure(&s);
        is_int(settings_add_tmpfs(&s, "/nix/store/x"), 0, "verify: a tmpfs inside the store parses");
        is_int(verify(&s, false), -EINVAL, "verify: a tmpfs inside /nix/store is refused");
        settings_done(&s);

        settings_with_closure(&s);
        s.store_dir = strdup("/gnu/store");
        is_int(settings_add_bind(&s, "/tmp:/gnu/store/x", false), 0, "verify: a bind into another store parses");
        is_int(verify(&s, false), -EINVAL, "verify: the check follows the configured store directory");
        settings_done(&s);

        settings_with_command(&s);
        is_int(settings_add_bind(&s, "/tmp:/nix/store", false), 0, "verify: a bind onto the store parses");
        is_int(verify(&s, false), 0, "verify: without a closure the store may be bound (a -D image)");
        settings_done(&s);

        /* --network-bridge */
        settings_with_command(&s);
        s.network_bridge = strdup("br0");
        is_int(verify(&s, false), 0, "verify: --network-bridge alone passes");
        ok(s.private_network, "verify: --network-bridge gives the container a network of its own");
        settings_done(&s);

        settings_with_command(&s);
        s.network_bridge = strdup("br0");
        s.network_zone = strdup("z1");
        is_int(verify(&s, false), -EINVAL, "verify: --network-bridge with --network-zone is refused");
        settings_done(&s);

        settings_with_command(&s);
        s.network_bridge = strdup("br/0");
        is_int(verify(&s, false), -EINVAL, "verify: a --network-bridge that is no interface name is refused");
        settings_done(&s);

        settings_with_command(&s);
        s.network_bridge = strdup("br0");
        s.veth_host_config = strdup("/x.conf");
        is_int(verify(&s, false), -EINVAL, "verify: a host config with --network-bridge is refused");
        settings_done(&s);

        settings_with_command(&s);
        s.network_bridge = strdup("br0");
        s.veth_container_config = strdup("/x.conf");
        is_int(verify(&s, false), 0, "verify: a container config with --network-bridge passes");
        settings_done(&s);

        (void) unlink(file);
}

int main(void) {
        char tmpdir[] = "/tmp/test-settings-XXXXXX";

        test_machine_name();
        test_env_assignment();
        test_path_normalized();
        test_private_users();
        test_uid_range_refusal();
        test_bind_idmap();
        test_console_mode();
        test_signal();
        test_boolean();
        test_bind_spec();
        test_tmpfs_spec();
        test_parse_uid();

        if (!mkdtemp(tmpdir)) {
                skip("settings_verify: cannot make a temporary directory: %m");
                return tap_done();
        }
        test_verify_defaults(tmpdir);
        test_verify_errors(tmpdir);
        if (rmdir(tmpdir) < 0)
                diag("Failed to remove '%s': %m", tmpdir);

        return tap_done();
}
