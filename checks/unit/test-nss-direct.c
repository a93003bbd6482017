/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The UID-range check without NSS (nss_direct_conflict()): it answers only when nsswitch.conf asks nothing but
 * what it reads itself, and then as NSS would. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "nss-direct.h"
#include "strutil.h"
#include "tap.h"

static char root[] = "/tmp/test-nss-direct-XXXXXX";

static void put(const char *name, const char *text) {
        _cleanup_free_ char *p = strprintf("%s/%s", root, name);

        ok(p && write_file_atomic(p, text, 0644) >= 0, "fixture %s", name);
}

static int check(uid_t base, uint32_t size, char *who) {
        who[0] = '\0';
        return nss_direct_conflict_at(root, base, size, who, 128);
}

int main(void) {
        char who[128], d[128];

        ok(mkdtemp(root), "a root");
        snprintf(d, sizeof d, "%s/etc", root);
        mkdir(d, 0755);
        put("etc/passwd", "root:x:0:0:root:/root:/bin/sh\nbig:x:600000:600000::/:/bin/sh\n# comment\n\n");
        put("etc/group", "root:x:0:\nbiggroup:x:700001:\n");

        put("etc/nsswitch.conf", "passwd: files\ngroup:  files # local only\n");
        is_int(check(0x80000, 0x10000, who), 0, "files: a free range is free");
        is_int(check(0x90000, 0x10000, who), 1, "files: a user's UID in the range conflicts");
        is_str(who, "user 'big' (UID 600000)", "…and is named");
        is_int(check(0xA0000, 0x10000, who), 1, "files: a group's GID in the range conflicts");
        is_str(who, "group 'biggroup' (GID 700001)", "…and is named");
        is_int(check(600000 - 0x10000, 0x10000, who), 0, "the range ends before base + size");

        put("etc/nsswitch.conf", "passwd: files systemd\ngroup: files systemd\n");
        is_int(check(0x80000, 0x10000, who), 0, "files systemd, no user record source: a free range is free");
        is_int(check(0, 0x10000, who), 1, "…nss-systemd's root");
        is_int(check(0x10000 - 0x100, 0x100, who), 1, "…nss-systemd's nobody, though the files lack it");
        is_str(who, "user 'nobody' (UID 65534)", "…named");
        snprintf(d, sizeof d, "%s/run", root);
        mkdir(d, 0755);
        snprintf(d, sizeof d, "%s/run/userdb", root);
        mkdir(d, 0755);
        is_int(check(0x80000, 0x10000, who), -EOPNOTSUPP, "a userdb drop-in directory: only NSS can tell");
        rmdir(d);
        put("etc/nsswitch.conf", "passwd: files\ngroup: files systemd\n");
        snprintf(d, sizeof d, "%s/run/systemd", root);
        mkdir(d, 0755);
        snprintf(d, sizeof d, "%s/run/systemd/userdb", root);
        mkdir(d, 0755);
        is_int(check(0x80000, 0x10000, who), -EOPNOTSUPP, "userdb services (machined, dynamic users): NSS");
        rmdir(d);
        is_int(check(0x80000, 0x10000, who), 0, "…and without them, the files answer");

        put("etc/nsswitch.conf", "passwd: files ldap\ngroup: files\n");
        is_int(check(0x80000, 0x10000, who), -EOPNOTSUPP, "another module: NSS");
        put("etc/nsswitch.conf", "passwd: files [NOTFOUND=return] systemd\ngroup: files\n");
        is_int(check(0x80000, 0x10000, who), -EOPNOTSUPP, "an action: NSS");
        put("etc/nsswitch.conf", "passwd: compat\ngroup: files\n");
        is_int(check(0x80000, 0x10000, who), -EOPNOTSUPP, "compat (+/- entries): NSS");
        put("etc/nsswitch.conf", "group: files\n");
        is_int(check(0x80000, 0x10000, who), -EOPNOTSUPP, "no passwd line (glibc's default): NSS");

        put("etc/nsswitch.conf", "passwd: files\ngroup: files\n");
        snprintf(d, sizeof d, "%s/etc/group", root);
        unlink(d);
        is_int(check(0x80000, 0x10000, who), -EOPNOTSUPP, "an unreadable file: NSS");

        _cleanup_free_ char *rm = strprintf("rm -rf '%s'", root);
        ok(rm && system(rm) == 0, "cleaned up");
        return tap_done();
}
