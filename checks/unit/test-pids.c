/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The tasks limit's two ways to a pids controller (spawn/pids.c): enabling it down a cgroup2 tree we manage (on a
 * directory tree that stands in for one), and finding our cgroup in a v1 pids hierarchy. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "pids.h"
#include "strutil.h"
#include "tap.h"

static char root[] = "/tmp/test-pids.XXXXXX";

static void put(const char *rel, const char *text) {
        char path[512];
        int fd;

        snprintf(path, sizeof path, "%s/%s", root, rel);
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0 || write_all(fd, text, strlen(text)) < 0)
                abort();
        close(fd);
}

static char *get(const char *rel) {
        char path[512], *text = NULL;

        snprintf(path, sizeof path, "%s/%s", root, rel);
        if (read_full_file(path, &text, NULL) < 0)
                return strdup("(missing)");
        return text;
}

static void dir(const char *rel) {
        char path[512];

        snprintf(path, sizeof path, "%s/%s", root, rel);
        if (mkdir(path, 0755) < 0)
                abort();
}

/* A cgroup directory: the controllers its parent gives it, an empty subtree_control, and pids.max if pids is one */
static void cgroup(const char *rel, const char *controllers) {
        char f[512];

        if (*rel)
                dir(rel);
        snprintf(f, sizeof f, "%s%scgroup.controllers", rel, *rel ? "/" : "");
        put(f, controllers);
        snprintf(f, sizeof f, "%s%scgroup.subtree_control", rel, *rel ? "/" : "");
        put(f, "");
        if (strstr(controllers, "pids")) {
                snprintf(f, sizeof f, "%s%spids.max", rel, *rel ? "/" : "");
                put(f, "max\n");
        }
}

static int enable(const char *top, const char *d) {
        char t[512], p[512];

        snprintf(t, sizeof t, "%s%s%s", root, *top ? "/" : "", top);
        snprintf(p, sizeof p, "%s/%s", root, d);
        return pids_v2_enable(t, p);
}

static void test_v2(void) {
        _cleanup_free_ char *a = NULL, *b = NULL, *c = NULL, *d = NULL;

        if (!mkdtemp(root))
                abort();
        /* the cgroup2 root offers pids; nixos-nspawn/NAME/payload below it. (Files stand in for the kernel's:
         * each level's cgroup.controllers is what the kernel shows once its parent enabled pids.) */
        cgroup("", "cpu memory pids\n");
        cgroup("nixos-nspawn", "pids\n");
        cgroup("nixos-nspawn/m", "pids\n");
        cgroup("nixos-nspawn/m/payload", "pids\n");
        is_int(enable("", "nixos-nspawn/m/payload"), 0, "standalone: pids enabled down to the container's cgroup");
        is_str(a = get("cgroup.subtree_control"), "+pids", "in the cgroup2 root's subtree_control");
        is_str(b = get("nixos-nspawn/cgroup.subtree_control"), "+pids", "in nixos-nspawn/'s");
        is_str(c = get("nixos-nspawn/m/cgroup.subtree_control"), "+pids", "in the machine's");
        is_str(d = get("nixos-nspawn/m/payload/cgroup.subtree_control"), "",
               "not in the container's own (that is its root's to decide)");
        free(a);
        a = NULL;

        put("cgroup.subtree_control", "cpu pids\n");
        put("nixos-nspawn/cgroup.subtree_control", "pids\n");
        is_int(enable("", "nixos-nspawn/m/payload"), 0, "again, pids already enabled above");
        is_str(a = get("cgroup.subtree_control"), "cpu pids\n", "an enabled controller is not written again");

        /* a hybrid host: cgroup2's root offers no pids (bound to v1) */
        cgroup("h", "cpu memory\n");
        cgroup("h/m", "");
        is_int(enable("h", "h/m"), -ENOENT, "no pids controller in cgroup2: -ENOENT, for the v1 way");
        free(b);
        is_str(b = get("h/cgroup.subtree_control"), "", "and nothing was written");

        /* delegated: the unit's cgroup is top; its own parent is systemd's and never touched */
        cgroup("unit", "pids\n");
        cgroup("unit/payload", "");
        put("unit/payload/pids.max", "max\n");
        is_int(enable("unit", "unit/payload"), 0, "delegated: enabled in the unit's cgroup");
        free(c);
        is_str(c = get("unit/cgroup.subtree_control"), "+pids", "there");
        /* a scope: top is the container's cgroup itself */
        is_int(enable("unit/payload", "unit/payload"), 0, "a scope with pids.max: nothing to enable");
        cgroup("scope", "");
        is_int(enable("scope", "scope"), -ENOENT, "a scope without pids.max: -ENOENT");
        is_int(enable("unit", "other"), -EINVAL, "a directory outside top: -EINVAL");
        is_int(enable("unit", "unitx/y"), -EINVAL, "…also when it only starts with top's name");

        char cmd[600];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
        if (system(cmd) != 0)
                diag("could not remove %s", root);
}

static void test_v1(void) {
        static const char mountinfo[] =
                "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
                "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct\n"
                "39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
                "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
        static const char v2only[] = "41 31 0:38 / /sys/fs/cgroup rw,relatime - cgroup2 cgroup2 rw\n";
        char *d = NULL;

        is_int(pids_v1_dir(mountinfo, "9:name=systemd:/\n8:pids:/\n0::/\n", &d), 0, "v1 pids at the root");
        is_str(d, "/sys/fs/cgroup/pids", "its directory is the mount point");
        free(d);
        d = NULL;
        is_int(pids_v1_dir(mountinfo, "2:cpu,cpuacct:/x\n8:pids:/system.slice/nixos-nspawn@a.service\n0::/\n", &d),
               0, "under a unit");
        is_str(d, "/sys/fs/cgroup/pids/system.slice/nixos-nspawn@a.service", "its directory is the unit's");
        free(d);
        d = NULL;
        is_int(pids_v1_dir(mountinfo, "3:pids,devices:/u\n", &d), 0, "pids co-mounted with another controller");
        is_str(d, "/sys/fs/cgroup/pids/u", "found by the list");
        free(d);
        d = NULL;
        is_int(pids_v1_dir(mountinfo, "2:cpu,cpuacct:/x\n0::/\n", &d), -ENOENT, "no pids line: -ENOENT");
        is_int(pids_v1_dir(v2only, "0::/\n", &d), -ENOENT, "a cgroup2-only host: -ENOENT");
        is_int(pids_v1_dir(mountinfo, "8:pidsx:/a\n", &d), -ENOENT, "pidsx is not pids");
}

int main(void) {
        test_v2();
        test_v1();
        return tap_done();
}
