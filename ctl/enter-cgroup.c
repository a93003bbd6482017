/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "cgroup.h"
#include "enter-cgroup.h"
#include "fileio.h"
#include "strutil.h"

#define LEAF_PREFIX "nixos-nspawnctl-enter-"
/* how long run waits, after its command ended, for the command's last processes to be reaped */
#define ENTER_CGROUP_EMPTY_TIMEOUT_MSEC 10000U

/* What root inside the container is on the host: the first line of PID 1's uid_map, "0 BASE SIZE". */
static int container_root_uid(pid_t pid1, uid_t *ret) {
        _cleanup_free_ char *path = strprintf("/proc/%d/uid_map", (int) pid1), *text = NULL;
        unsigned inside, base;

        if (!path)
                return -ENOMEM;
        if (read_full_file(path, &text, NULL) < 0 || sscanf(text, "%u %u", &inside, &base) != 2 || inside != 0)
                return -ENOENT;
        *ret = (uid_t) base;
        return 0;
}

/* PID 1's cgroup2 path, as the host sees it ("/nixos-nspawn/NAME/payload/…"). */
static int pid1_cgroup(pid_t pid1, char **ret) {
        _cleanup_free_ char *path = strprintf("/proc/%d/cgroup", (int) pid1), *text = NULL;
        const char *line;
        char *p;

        if (!path)
                return -ENOMEM;
        if (read_full_file(path, &text, NULL) < 0)
                return -ESRCH;
        line = strstr(text, "0::/");
        if (!line || (line != text && line[-1] != '\n'))
                return -ENOENT;
        p = strndup(line + 3, strcspn(line + 3, "\n"));
        if (!p)
                return -ENOMEM;
        *ret = p;
        return 0;
}

/* Cuts cgroup (below mnt) to the container's top cgroup: the first on its path that owner owns. */
static int cut_to_container(const char *mnt, char *cgroup, uid_t owner) {
        for (char *slash = cgroup + 1;; slash++) {
                _cleanup_free_ char *dir = NULL;
                struct stat st;
                char saved;

                slash = strchrnul(slash, '/');
                saved = *slash;
                *slash = 0;
                dir = strprintf("%s%s", mnt, cgroup);
                if (!dir)
                        return -ENOMEM;
                if (stat(dir, &st) < 0)
                        return -errno;
                if (st.st_uid == owner)
                        return 0;
                *slash = saved;
                if (!saved)
                        return -ENOENT; /* nothing on the path is the container's: not delegated */
        }
}

/* Empty leaves of earlier runs that are gone (killed, or whose last process left after they ended): removed. A
 * leaf with a process in it stays (rmdir() refuses), until the container stops and the launcher removes its
 * cgroups; a leaf of a run still going (its PID, the suffix, alive) is not ours to touch: it may not have moved its
 * child in yet. */
static void sweep_leaves(const char *mnt, const char *parent) {
        _cleanup_free_ char *path = strprintf("%s%s", mnt, parent);
        DIR *d = path ? opendir(path) : NULL;

        if (!d)
                return;
        for (struct dirent *de; (de = readdir(d));) {
                const char *suffix = startswith(de->d_name, LEAF_PREFIX);
                unsigned pid;

                if (suffix && safe_atou32(suffix, &pid) >= 0 && kill((pid_t) pid, 0) < 0 && errno == ESRCH)
                        (void) unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR);
        }
        closedir(d);
}

/* The cgroup the container's was made in, below mnt: *ret_cgroup is cut to it. */
static int machine_cgroup(pid_t pid1, char **ret_mnt, char **ret_cgroup) {
        _cleanup_free_ char *mnt = NULL, *cgroup = NULL;
        char *slash;
        uid_t owner = 0;
        int r;

        r = cgroup2_find_mount(&mnt);
        if (r >= 0)
                r = pid1_cgroup(pid1, &cgroup);
        if (r >= 0)
                r = container_root_uid(pid1, &owner);
        if (r < 0)
                return r;
        /* -U no: nothing was handed over (root inside is ours): next to PID 1's own cgroup */
        if (owner != 0) {
                r = cut_to_container(mnt, cgroup, owner);
                if (r < 0)
                        return r;
        }
        slash = strrchr(cgroup, '/');
        *slash = 0; /* its parent: the host's (the root cgroup when the container's was at the top) */
        *ret_mnt = TAKE_PTR(mnt);
        *ret_cgroup = TAKE_PTR(cgroup);
        return 0;
}

int enter_cgroup_machine(pid_t pid1, char **ret_path) {
        _cleanup_free_ char *mnt = NULL, *cgroup = NULL;
        char *p;
        int r = machine_cgroup(pid1, &mnt, &cgroup);

        if (r < 0)
                return r;
        p = strprintf("%s%s", mnt, cgroup);
        if (!p)
                return -ENOMEM;
        *ret_path = p;
        return 0;
}

int enter_cgroup_make(pid_t pid1, char **ret_path) {
        _cleanup_free_ char *mnt = NULL, *cgroup = NULL, *leaf = NULL;
        int r = machine_cgroup(pid1, &mnt, &cgroup);

        if (r < 0)
                return r;
        leaf = strprintf("%s%s/" LEAF_PREFIX "%d", mnt, cgroup, (int) getpid());
        if (!leaf)
                return -ENOMEM;
        sweep_leaves(mnt, cgroup);
        if (mkdir(leaf, 0755) < 0)
                return -errno;
        *ret_path = TAKE_PTR(leaf);
        return 0;
}

/* Whether a process still in leaf is one that lives on (the command left it running), not one on its way out: an
 * exited process stays in the cgroup until it is reaped, and what run started may be reaped by the container's
 * PID 1 (the entering child's orphans are its), on the container's schedule, not ours. */
static bool leaf_has_living(const char *leaf) {
        _cleanup_free_ char *procs = strprintf("%s/cgroup.procs", leaf), *text = NULL;

        if (!procs || read_full_file(procs, &text, NULL) < 0)
                return false;
        for (char *p = text, *next; p && *p; p = next) {
                _cleanup_free_ char *stat = NULL, *line = NULL;
                const char *paren;
                unsigned pid;

                next = strchr(p, '\n');
                if (next)
                        *next++ = 0;
                if (safe_atou32(p, &pid) < 0)
                        continue;
                stat = strprintf("/proc/%u/stat", pid);
                if (!stat || read_full_file(stat, &line, NULL) < 0)
                        continue; /* gone meanwhile */
                paren = strrchr(line, ')'); /* the name may hold anything, even ')': the state follows the last */
                if (paren && paren[1] == ' ' && paren[2] != 'Z' && paren[2] != 'X')
                        return true;
        }
        return false;
}

/* Waits, with a deadline, until leaf is empty (cgroup.events says "populated 0"): true when it is. Returns early
 * when a process in it lives on. */
static bool leaf_wait_empty(const char *leaf, unsigned timeout_msec) {
        _cleanup_free_ char *events = strprintf("%s/cgroup.events", leaf);
        _cleanup_close_ int fd = -EBADF;
        uint64_t deadline = now_msec() + timeout_msec;

        if (!events)
                return false;
        fd = open(events, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return false;
        for (;;) {
                struct pollfd p = { .fd = fd, .events = POLLPRI };
                char buf[256];
                ssize_t n = pread(fd, buf, sizeof buf - 1, 0);

                if (n < 0)
                        return false;
                buf[n] = 0;
                if (strstr(buf, "populated 0"))
                        return true;
                if (msec_left(deadline) == 0 || leaf_has_living(leaf))
                        return false;
                /* the kernel wakes pollers of cgroup.events when it changes; the cap only bounds a missed wake-up */
                (void) poll(&p, 1, MIN(msec_left(deadline), 100));
        }
}

void enter_cgroup_remove(char *path) {
        /* The last of its processes may still be on its way out after we reaped ours; what lives on stays, and a
         * later run (sweep_leaves()) removes the leaf once it is empty. */
        if (path && leaf_wait_empty(path, ENTER_CGROUP_EMPTY_TIMEOUT_MSEC))
                (void) rmdir(path);
        free(path);
}
