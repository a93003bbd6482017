/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "fileio.h"
#include "log.h"
#include "mountinfo.h"
#include "pids.h"
#include "resource-limits.h"
#include "strutil.h"

#define PIDS_V1_TOP "nixos-nspawn"

/* Whether word is one of the space-separated words of text (cgroup.controllers, cgroup.subtree_control). */
static bool has_word(const char *text, const char *word) {
        size_t n = strlen(word);

        for (const char *p = text; (p = strstr(p, word)); p += n)
                if ((p == text || isspace((unsigned char) p[-1])) && (p[n] == 0 || isspace((unsigned char) p[n])))
                        return true;
        return false;
}

int pids_v2_enable(const char *top, const char *dir) {
        _cleanup_free_ char *path = strdup(dir), *max = strprintf("%s/pids.max", dir);
        size_t toplen = strlen(top);

        if (!path || !max)
                return -ENOMEM;
        if (strncmp(path, top, toplen) != 0 || (path[toplen] != '/' && path[toplen] != 0))
                return -EINVAL;
        /* cut path at each '/' from the end of top on: top, then each ancestor of dir below it */
        for (char *s = path + toplen; *s == '/'; s = strchrnul(s + 1, '/')) {
                _cleanup_free_ char *controllers = NULL, *subtree = NULL, *file = NULL;
                int r;

                *s = 0;
                file = strprintf("%s/cgroup.controllers", path);
                if (!file)
                        return -ENOMEM;
                if (read_full_file(file, &controllers, NULL) < 0 || !has_word(controllers, "pids"))
                        return -ENOENT;
                free(file);
                file = strprintf("%s/cgroup.subtree_control", path);
                if (!file)
                        return -ENOMEM;
                r = read_full_file(file, &subtree, NULL);
                if (r >= 0 && !has_word(subtree, "pids"))
                        r = write_string_at(AT_FDCWD, file, "+pids");
                if (r < 0)
                        return r;
                *s = '/';
        }
        return access(max, F_OK) >= 0 ? 0 : -ENOENT;
}

static int write_max(const char *dir, uint64_t max) {
        _cleanup_free_ char *file = strprintf("%s/pids.max", dir);
        char v[32];

        if (!file)
                return -ENOMEM;
        snprintf(v, sizeof v, "%" PRIu64, max);
        return write_string_at(AT_FDCWD, file, v);
}

int pids_v1_dir(const char *mountinfo, const char *proc_cgroup, char **ret) {
        _cleanup_free_ char *mnt = NULL;
        int r;

        r = mountinfo_find_cgroup1(mountinfo, "pids", &mnt);
        if (r < 0)
                return r;
        for (const char *line = proc_cgroup; line && *line;) {
                const char *end = strchrnul(line, '\n'), *c1 = memchr(line, ':', (size_t) (end - line)), *c2;

                c2 = c1 ? memchr(c1 + 1, ':', (size_t) (end - c1 - 1)) : NULL;
                /* "N:pids:/PATH" (a v1 line may name several controllers: "N:cpu,cpuacct:/PATH") */
                if (c2 && c2[1] == '/') {
                        _cleanup_free_ char *list = strndup(c1 + 1, (size_t) (c2 - c1 - 1));
                        _cleanup_free_ char *words = list ? strdup(list) : NULL;

                        if (!list || !words)
                                return -ENOMEM;
                        for (char *w = words; *w; w++)
                                if (*w == ',')
                                        *w = ' ';
                        if (has_word(words, "pids")) {
                                /* "/" is the hierarchy's root: no trailing slash */
                                *ret = strprintf("%s%.*s", mnt, c2 + 2 == end ? 0 : (int) (end - c2 - 1), c2 + 1);
                                return *ret ? 0 : -ENOMEM;
                        }
                }
                line = *end ? end + 1 : NULL;
        }
        return -ENOENT;
}

/* The v1 pids hierarchy's directory of our own cgroup there (under systemd our unit's: its TasksMax= stays above
 * ours). Found once a run: a start asks three times (two sweeps, the limit), and reading mountinfo costs in
 * proportion to the host's mount count (thousands on a busy host: milliseconds a read, make bench's profile).
 * Nothing moves the launcher in that hierarchy or changes where it is mounted while it runs. */
static int v1_own_dir_uncached(char **ret) {
        _cleanup_free_ char *cgroups = NULL;
        const char *mountinfo;
        int r;

        r = host_mountinfo(&mountinfo);
        if (r >= 0)
                r = read_full_file("/proc/self/cgroup", &cgroups, NULL);
        if (r < 0)
                return r;
        return pids_v1_dir(mountinfo, cgroups, ret);
}

static int v1_own_dir(char **ret) {
        static char *cached = NULL;
        static int cached_r = 1;

        if (cached_r > 0) {
                int r = v1_own_dir_uncached(&cached);

                if (r == -ENOMEM) /* not an answer: ask again next time */
                        return r;
                cached_r = r;
        }
        if (cached_r < 0)
                return cached_r;
        *ret = strdup(cached);
        return *ret ? 0 : -ENOMEM;
}

/* The machine's cgroup in the v1 pids hierarchy, made, its pids.max written: ours to remove from here on. */
static int v1_make(const char *machine, uint64_t max, PidsLimit *p) {
        _cleanup_free_ char *own = NULL, *dir = NULL;
        int r;

        r = v1_own_dir(&own);
        if (r < 0)
                return r;
        dir = strprintf("%s/" PIDS_V1_TOP "/%s", own, machine);
        if (!dir)
                return -ENOMEM;
        r = mkdir_p(dir, 0755);
        if (r < 0)
                return r;
        p->v1_path = TAKE_PTR(dir);
        return write_max(p->v1_path, max);
}

static int v1_apply(const char *machine, pid_t pid1, uint64_t max, PidsLimit *p) {
        _cleanup_free_ char *procs = NULL;
        char pid[32];
        int r;

        r = v1_make(machine, max, p);
        if (r < 0)
                return r;
        procs = strprintf("%s/cgroup.procs", p->v1_path);
        if (!procs)
                return -ENOMEM;
        snprintf(pid, sizeof pid, "%d", (int) pid1);
        return write_string_at(AT_FDCWD, procs, pid);
}

/* A v1 limit that could not be made: nothing of it is left; a host without one is an error only when asked for. */
static int v1_failed(int r, bool explicit, PidsLimit *p) {
        pids_limit_done(p);
        if (r == -ENOENT && !explicit) {
                log_debug("The host has no pids controller: no tasks limit.");
                return 0;
        }
        if (r == -ENOENT)
                return log_error_errno(r, "Cannot apply --tasks-max: the host has no pids cgroup controller.");
        return log_error_errno(r, "Failed to set up the tasks limit (cgroup v1 pids): %m");
}

int pids_limit_prepare(const Cgroup *cg, const char *machine, uint64_t max, bool explicit, PidsLimit *p) {
        _cleanup_free_ char *mnt = NULL, *file = NULL, *controllers = NULL, *tasks = NULL;
        int r;

        /* a scope's mode and default limit are known only once machined has or has not made it */
        if (max == TASKS_MAX_INFINITY || cg->mode == CGROUP_SCOPE)
                return 0;
        if (cgroup2_find_mount(&mnt) < 0 || !(file = strprintf("%s/cgroup.controllers", mnt)) ||
            read_full_file(file, &controllers, NULL) < 0 || has_word(controllers, "pids"))
                return 0; /* cgroup2's limit, or cannot tell yet: pids_limit_apply() */
        p->decided = true;
        r = v1_make(machine, max, p);
        if (r >= 0 && !(tasks = strprintf("%s/tasks", p->v1_path)))
                r = -ENOMEM;
        if (r >= 0) {
                p->v1_join_fd = open(tasks, O_WRONLY | O_CLOEXEC | O_NOCTTY);
                if (p->v1_join_fd < 0)
                        r = -errno;
        }
        return r < 0 ? v1_failed(r, explicit, p) : 0;
}

int pids_limit_apply(const Cgroup *cg, const char *machine, pid_t pid1, uint64_t max, bool explicit, PidsLimit *p) {
        _cleanup_free_ char *mnt = NULL;
        const char *top, *limited;
        int r;

        if (p->decided || max == TASKS_MAX_INFINITY)
                return 0;
        /* cgroup2 first: standalone, all the way from its root is ours; delegated, our unit's cgroup down; a
         * scope of machined's has pids.max when systemd enabled the controller above it */
        r = cgroup2_find_mount(&mnt);
        if (r >= 0 && cg->container) {
                top = cg->mode == CGROUP_STANDALONE ? mnt : cg->mode == CGROUP_DELEGATED ? cg->path : cg->container;
                /* Standalone, on the machine's cgroup above payload/: it also holds what nixos-nspawnctl run and
                 * enter start inside (their cgroups are payload's siblings). Else on the container's own: our
                 * unit's cgroup has the unit's TasksMax= (written by systemd), not ours to overwrite. */
                limited = cg->mode == CGROUP_STANDALONE ? cg->path : cg->container;
                r = pids_v2_enable(top, limited);
                if (r >= 0) {
                        r = write_max(limited, max);
                        if (r < 0)
                                return log_error_errno(r, "Failed to set the tasks limit of '%s': %m", limited);
                        return 0;
                }
        }
        r = v1_apply(machine, pid1, max, p);
        return r < 0 ? v1_failed(r, explicit, p) : 0;
}

/* rmdir, waiting out the moment a cgroup whose last task is exiting is still busy (up to 2 s). */
static void rmdir_busy(const char *path) {
        for (int i = 0; i < 2000; i++) {
                if (rmdir(path) >= 0 || errno != EBUSY)
                        return;
                nanosleep(&(struct timespec) { .tv_nsec = 1000000 }, NULL);
        }
}

void pids_limit_done(PidsLimit *p) {
        char *slash;

        p->v1_join_fd = safe_close(p->v1_join_fd);
        if (!p->v1_path)
                return;
        rmdir_busy(p->v1_path);
        /* the shared top directory goes with the last container; EBUSY means others still run */
        slash = strrchr(p->v1_path, '/');
        *slash = 0;
        (void) rmdir(p->v1_path);
        free(p->v1_path);
        p->v1_path = NULL;
}

static char *v1_machine_dir(const char *machine) {
        _cleanup_free_ char *own = NULL;

        if (v1_own_dir(&own) < 0)
                return NULL;
        return strprintf("%s/" PIDS_V1_TOP "/%s", own, machine);
}

/* Kills what is left in a v1 cgroup (v1 has no cgroup.kill) and removes it. Its tasks are a dead container's:
 * PID 1 was moved there and everything else forked from it. */
static void v1_kill_and_remove(const char *path) {
        _cleanup_free_ char *procs = strprintf("%s/cgroup.procs", path);

        for (int i = 0; procs && i < 2000; i++) {
                _cleanup_free_ char *text = NULL;
                bool any = false;

                if (read_full_file(procs, &text, NULL) < 0)
                        break;
                for (char *p = text, *next; p && *p; p = next) {
                        unsigned pid;

                        next = strchr(p, '\n');
                        if (next)
                                *next++ = 0;
                        if (safe_atou32(p, &pid) >= 0 && pid > 1) {
                                (void) kill((pid_t) pid, SIGKILL);
                                any = true;
                        }
                }
                if (!any)
                        break;
                nanosleep(&(struct timespec) { .tv_nsec = 1000000 }, NULL);
        }
        rmdir_busy(path);
}

void pids_remove_machine(const char *machine) {
        _cleanup_free_ char *path = v1_machine_dir(machine);

        if (!path || access(path, F_OK) < 0)
                return;
        log_info("Removing the tasks limit cgroup '%s' that a killed launcher left behind.", path);
        v1_kill_and_remove(path);
}

void pids_remove_stale(IsHeldFn machine_is_running) {
        _cleanup_free_ char *own = NULL, *top = NULL;
        struct dirent *de;
        DIR *d;

        if (v1_own_dir(&own) < 0 || !(top = strprintf("%s/" PIDS_V1_TOP, own)))
                return;
        d = opendir(top);
        if (!d)
                return;
        while ((de = readdir(d)))
                if (de->d_type == DT_DIR && de->d_name[0] != '.' && !machine_is_running(de->d_name))
                        pids_remove_machine(de->d_name);
        closedir(d);
}

int pids_v1_procs_of(pid_t pid, char **ret) {
        _cleanup_free_ char *mountinfo = NULL, *cgroups = NULL, *dir = NULL, *proc = NULL;
        const char *last, *parent;
        int r;

        proc = strprintf("/proc/%d/cgroup", (int) pid);
        if (!proc)
                return -ENOMEM;
        r = read_full_file("/proc/self/mountinfo", &mountinfo, NULL);
        if (r >= 0)
                r = read_full_file(proc, &cgroups, NULL);
        if (r >= 0)
                r = pids_v1_dir(mountinfo, cgroups, &dir);
        if (r < 0)
                return r;
        /* only a cgroup our tasks limit made, .../nixos-nspawn/NAME (v1 is the host's alone: the container cannot
         * move PID 1 there or elsewhere); not, say, a unit's own v1 cgroup */
        last = strrchr(dir, '/');
        parent = last ? last - strlen("/" PIDS_V1_TOP) : NULL;
        if (!parent || parent < dir || strncmp(parent, "/" PIDS_V1_TOP "/", strlen("/" PIDS_V1_TOP "/")) != 0)
                return -ENOENT;
        *ret = strprintf("%s/cgroup.procs", dir);
        return *ret ? 0 : -ENOMEM;
}
