/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "fileio.h"
#include "log.h"
#include "mountinfo.h"
#include "strutil.h"

#define CGROUP_TOP "nixos-nspawn"

/* Mount tables do not change under a launcher in a way that matters here (where cgroup2 and the v1 pids
 * hierarchy are mounted): read mountinfo once per run. A read costs in proportion to the host's mount count
 * (7 ms at 5,000 mounts here), and a start asked for it three times. */
int host_mountinfo(const char **ret) {
        static char *cached = NULL;
        int r;

        if (!cached) {
                r = read_full_file("/proc/self/mountinfo", &cached, NULL);
                if (r < 0) {
                        cached = NULL;
                        return r;
                }
        }
        *ret = cached;
        return 0;
}

static int cgroup2_find_mount_uncached(char **ret) {
        const char *text;
        int r;

        r = host_mountinfo(&text);
        if (r < 0)
                return r;
        return mountinfo_find_fstype(text, "cgroup2", ret);
}

int cgroup2_find_mount(char **ret) {
        static char *cached = NULL;
        static int cached_r = 1;

        if (cached_r > 0)
                cached_r = cgroup2_find_mount_uncached(&cached);
        if (cached_r < 0)
                return cached_r;
        *ret = strdup(cached);
        return *ret ? 0 : -ENOMEM;
}

static int machine_cgroup_path(const char *machine, char **ret) {
        _cleanup_free_ char *mnt = NULL;
        int r;

        r = cgroup2_find_mount(&mnt);
        if (r < 0)
                return r;
        *ret = strprintf("%s/" CGROUP_TOP "/%s", mnt, machine);
        if (!*ret)
                return -ENOMEM;
        return 0;
}

/* What systemd's Delegate= hands over: the directory and the files that manage its children. */
static int chown_delegated(const char *dir, uid_t owner) {
        static const char *const files[] = { "cgroup.procs", "cgroup.threads", "cgroup.subtree_control" };
        _cleanup_close_ int fd = open(dir, O_DIRECTORY | O_CLOEXEC);

        if (fd < 0)
                return -errno;
        if (fchown(fd, owner, owner) < 0)
                return -errno;
        for (size_t i = 0; i < ELEMENTSOF(files); i++)
                if (fchownat(fd, files[i], owner, owner, 0) < 0 && errno != ENOENT)
                        return -errno;
        return 0;
}

/* A process's cgroup (0: ours), from the unified line of /proc/PID/cgroup, as an absolute path. */
static int cgroup_of(pid_t pid, char **ret) {
        _cleanup_free_ char *mnt = NULL, *text = NULL;
        char proc[64];
        const char *line;
        int r;

        r = cgroup2_find_mount(&mnt);
        if (r < 0)
                return r;
        if (pid == 0)
                snprintf(proc, sizeof proc, "/proc/self/cgroup");
        else
                snprintf(proc, sizeof proc, "/proc/%d/cgroup", (int) pid);
        r = read_full_file(proc, &text, NULL);
        if (r < 0)
                return r;
        for (line = text; line && strncmp(line, "0::/", 4) != 0; line = strchr(line, '\n'), line = line ? line + 1 : NULL)
                ;
        if (!line)
                return -ENOENT;
        line += 3;
        *ret = strprintf("%s%.*s", mnt, (int) strcspn(line, "\n"), line);
        return *ret ? 0 : -ENOMEM;
}

/* systemd marks what it delegates with an extended attribute (trusted.delegate for system units). */
static int cgroup_delegated(char **ret_path) {
        _cleanup_free_ char *path = NULL;
        char value[8] = "";
        int r;

        r = cgroup_of(0, &path);
        if (r < 0)
                return r;
        if (getxattr(path, "trusted.delegate", value, sizeof value - 1) <= 0 &&
            getxattr(path, "user.delegate", value, sizeof value - 1) <= 0)
                return 0;
        if (!streq(value, "1"))
                return 0;
        *ret_path = TAKE_PTR(path);
        return 1;
}

static int make_container_cgroup(Cgroup *cg, uid_t owner) {
        cg->container = strprintf("%s/payload", cg->path);
        if (!cg->container)
                return -ENOMEM;
        if (mkdir(cg->container, 0755) < 0 && errno != EEXIST)
                return -errno;
        /* bounded, so that removing what the container made (depth-first, a directory fd per level) always
         * works; systemd needs a handful of levels, nested containers a few more each */
        {
                _cleanup_free_ char *depth = strprintf("%s/cgroup.max.depth", cg->container);
                if (depth)
                        (void) write_string_at(AT_FDCWD, depth, "64");
        }
        return chown_delegated(cg->container, owner);
}

/* Delegated set-up in the cgroup cgroup_delegated() found (taken), or standalone (NULL). */
static int cgroup_create(const char *machine, uid_t owner, char *delegated, Cgroup *ret) {
        Cgroup cg = { .mode = CGROUP_STANDALONE, .path = delegated };
        _cleanup_free_ char *supervisor = NULL, *procs = NULL;
        int r;

        if (delegated) {
                /* A cgroup with processes may have no children with processes: step aside into a leaf. */
                cg.mode = CGROUP_DELEGATED;
                supervisor = strprintf("%s/supervisor", cg.path);
                procs = strprintf("%s/supervisor/cgroup.procs", cg.path);
                if (!supervisor || !procs) {
                        free(cg.path);
                        return log_oom();
                }
                if (mkdir(supervisor, 0755) < 0 && errno != EEXIST)
                        r = -errno;
                else
                        r = write_string_at(AT_FDCWD, procs, "0");
                if (r < 0) {
                        log_error_errno(r, "Failed to move to '%s': %m", supervisor);
                        free(cg.path);
                        return r;
                }
        } else {
                r = machine_cgroup_path(machine, &cg.path);
                if (r == -ENOENT)
                        return log_error_errno(r, "No cgroup2 file system is mounted; the container needs one.");
                if (r < 0)
                        return log_error_errno(r, "Failed to find the cgroup2 mount: %m");
                /* another launcher may remove the shared top directory between our two mkdir()s: try again */
                for (int i = 0; i < 5; i++) {
                        r = mkdir_p(cg.path, 0755);
                        if (r != -ENOENT)
                                break;
                }
                if (r < 0) {
                        log_error_errno(r, "Failed to create cgroup '%s': %m", cg.path);
                        free(cg.path);
                        return r;
                }
        }

        r = make_container_cgroup(&cg, owner);
        if (r < 0) {
                log_error_errno(r, "Failed to delegate cgroup '%s/payload': %m", cg.path);
                (void) cgroup_destroy(&cg);
                return r;
        }
        *ret = cg;
        return 0;
}

static int cgroup_use_scope(pid_t leader, uid_t owner, Cgroup *ret) {
        _cleanup_free_ char *path = NULL;
        int r;

        /* machined has moved the leader into the scope: that is where it is now */
        r = cgroup_of(leader, &path);
        if (r < 0)
                return r;
        r = chown_delegated(path, owner);
        if (r < 0)
                return r;
        *ret = (Cgroup) { .mode = CGROUP_SCOPE, .container = TAKE_PTR(path) };
        return 0;
}

static int cgroup_attach(const Cgroup *cg, pid_t pid) {
        _cleanup_free_ char *procs = NULL;
        char s[32];

        procs = strprintf("%s/cgroup.procs", cg->container);
        if (!procs)
                return -ENOMEM;
        snprintf(s, sizeof s, "%d", (int) pid);
        return write_string_at(AT_FDCWD, procs, s);
}

CgroupMode cgroup_mode_for(bool delegated, bool systemd_booted, bool registering) {
        if (delegated)
                return CGROUP_DELEGATED;
        /* started from a shell on a systemd host: machined makes the scope (and registers) */
        if (systemd_booted && registering)
                return CGROUP_SCOPE;
        return CGROUP_STANDALONE;
}

int cgroup_plan(const char *machine, uid_t owner, bool systemd_booted, bool registering, Cgroup *ret) {
        char *delegated = NULL;
        int r;

        r = cgroup_delegated(&delegated);
        if (r < 0 && r != -ENOENT)
                return log_error_errno(r, "Failed to find our cgroup: %m");
        switch (cgroup_mode_for(r > 0, systemd_booted, registering)) {
        case CGROUP_DELEGATED:
                return cgroup_create(machine, owner, delegated, ret);
        case CGROUP_SCOPE:
                *ret = (Cgroup) { .mode = CGROUP_SCOPE };
                return 0;
        case CGROUP_STANDALONE:
        default:
                return cgroup_create(machine, owner, NULL, ret);
        }
}

int cgroup_place(Cgroup *cg, const char *machine, pid_t pid1, uid_t owner, bool scope_made) {
        int r;

        if (cg->mode == CGROUP_SCOPE && scope_made) {
                /* machined has moved PID 1 into the scope */
                r = cgroup_use_scope(pid1, owner, cg);
                if (r < 0)
                        return log_error_errno(r, "Failed to take over the machine scope: %m");
                return 0;
        }
        if (cg->mode == CGROUP_SCOPE) { /* no scope after all: our own cgroup */
                r = cgroup_create(machine, owner, NULL, cg);
                if (r < 0)
                        return r;
        }
        if (cg->holds_pid1)
                return 0;
        r = cgroup_attach(cg, pid1);
        if (r < 0)
                return log_error_errno(r, "Failed to move the container into cgroup '%s': %m", cg->container);
        return 0;
}

static int rmdir_depth_first(int parent_fd, const char *name) {
        _cleanup_close_ int fd = openat(parent_fd, name, O_DIRECTORY | O_CLOEXEC);
        DIR *d;
        struct dirent *de;
        int r = 0;

        if (fd < 0)
                return errno == ENOENT ? 0 : -errno;
        d = fdopendir(fd);
        if (!d)
                return -errno;
        fd = -EBADF; /* owned by d now */
        while ((de = readdir(d)))
                if (de->d_type == DT_DIR && !streq(de->d_name, ".") && !streq(de->d_name, "..")) {
                        int k = rmdir_depth_first(dirfd(d), de->d_name);
                        if (k < 0 && r == 0)
                                r = k;
                }
        closedir(d);
        if (r < 0)
                return r;

        /* A cgroup whose last process is still exiting is busy for a moment: wait up to 2 s. */
        for (int i = 0; i < 2000; i++) {
                if (unlinkat(parent_fd, name, AT_REMOVEDIR) >= 0 || errno == ENOENT)
                        return 0;
                if (errno != EBUSY)
                        return -errno;
                nanosleep(&(struct timespec) { .tv_nsec = 1000000 }, NULL);
        }
        return -EBUSY;
}

static int kill_and_remove(const char *path) {
        _cleanup_free_ char *kill_path = NULL, *parent = NULL;
        _cleanup_close_ int parent_fd = -EBADF;
        char *slash;

        kill_path = strprintf("%s/cgroup.kill", path);
        parent = strdup(path);
        if (!kill_path || !parent)
                return -ENOMEM;
        (void) write_string_at(AT_FDCWD, kill_path, "1"); /* kernel >= 5.14; otherwise PID 1's death suffices */

        slash = strrchr(parent, '/');
        *slash = 0;
        parent_fd = open(parent, O_DIRECTORY | O_CLOEXEC);
        if (parent_fd < 0)
                return -errno;
        return rmdir_depth_first(parent_fd, slash + 1);
}

int cgroup_destroy(Cgroup *cg) {
        const char *what = NULL;
        int r = 0;

        switch (cg->mode) {
        case CGROUP_STANDALONE: /* all of it is ours */
                what = cg->path;
                break;
        case CGROUP_DELEGATED: /* the container's part; systemd removes the unit's cgroup with us in it */
                what = cg->container;
                break;
        case CGROUP_SCOPE: /* machined's: the scope goes when its last process does */
                break;
        }
        if (what) {
                r = kill_and_remove(what);
                if (r < 0)
                        log_warning_errno(r, "Failed to remove cgroup '%s', ignoring: %m", what);
        }
        if (cg->mode == CGROUP_STANDALONE && cg->path) {
                /* the shared top directory goes when the last container is gone; EBUSY means others still run */
                char *slash = strrchr(cg->path, '/');
                *slash = 0;
                (void) rmdir(cg->path);
        }
        free(cg->path);
        free(cg->container);
        *cg = (Cgroup) {};
        return r;
}

int cgroup_remove_machine(const char *machine) {
        Cgroup cg = { .mode = CGROUP_STANDALONE };

        if (machine_cgroup_path(machine, &cg.path) < 0)
                return 0; /* cgroup_create() will say what is wrong */
        if (access(cg.path, F_OK) < 0) {
                free(cg.path);
                return 0;
        }
        log_info("Removing the cgroup '%s' that a killed launcher left behind.", cg.path);
        return cgroup_destroy(&cg);
}

int cgroup_remove_stale(IsHeldFn machine_is_running) {
        _cleanup_free_ char *mnt = NULL, *top = NULL;
        struct dirent *de;
        DIR *d;

        if (cgroup2_find_mount(&mnt) < 0 || !(top = strprintf("%s/" CGROUP_TOP, mnt)))
                return 0; /* cgroup_create() will say what is wrong */
        d = opendir(top);
        if (!d)
                return 0;
        while ((de = readdir(d)))
                if (de->d_type == DT_DIR && de->d_name[0] != '.' && !machine_is_running(de->d_name))
                        (void) cgroup_remove_machine(de->d_name);
        closedir(d);
        return 0;
}
