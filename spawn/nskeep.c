/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fileio.h"
#include "lockfile.h"
#include "log.h"
#include "macro.h"
#include "nskeep.h"
#include "strutil.h"

/* The child: a new mount namespace, set up. Reports an errno and an index on report_fd, then waits for the parent
 * to bind its namespace (a byte on go_fd, or EOF) and exits. No allocation, no logging. */
static _Noreturn void keeper_child(int (*setup)(void *, int64_t *), void *userdata, int cpu, int report_fd,
                                   int go_fd) {
        int64_t msg[2] = { 0, -1 };
        char c1;

        if (cpu >= 0) {
                cpu_set_t set;

                CPU_ZERO(&set);
                CPU_SET(cpu, &set);
                (void) sched_setaffinity(0, sizeof set, &set); /* an offline CPU: any other will do */
        }
        if (unshare(CLONE_NEWNS) < 0)
                msg[0] = -errno;
        else
                msg[0] = setup(userdata, &msg[1]);
        if (msg[0] < 0)
                _exit(write(report_fd, msg, sizeof msg) == sizeof msg ? 1 : 2);
        /* the parent binds our namespace while we wait: a byte or EOF ends the wait, either way we are done */
        _exit(write(report_fd, msg, sizeof msg) != sizeof msg || read(go_fd, &c1, 1) < 0);
}

/* A keeper child started on CPU cpu (-1: where it lands). */
static int keeper_fork(int (*setup)(void *, int64_t *), void *userdata, int cpu, MntnsKeeper *ret) {
        int report[2] = { -EBADF, -EBADF }, go[2] = { -EBADF, -EBADF }, r;
        pid_t pid;

        if (pipe2(report, O_CLOEXEC) < 0 || pipe2(go, O_CLOEXEC) < 0) {
                r = log_error_errno(negative_errno(), "Failed to create a pipe: %m");
                goto fail;
        }
        pid = fork();
        if (pid < 0) {
                r = log_error_errno(negative_errno(), "Failed to fork: %m");
                goto fail;
        }
        if (pid == 0) {
                safe_close(report[0]);
                safe_close(go[1]);
                keeper_child(setup, userdata, cpu, report[1], go[0]);
        }
        safe_close(report[1]);
        safe_close(go[0]);
        *ret = (MntnsKeeper) { .pid = pid, .report_fd = report[0], .go_fd = go[1] };
        return 0;
fail:
        safe_close(report[0]);
        safe_close(report[1]);
        safe_close(go[0]);
        safe_close(go[1]);
        return r;
}

/* Lets the child go (EOF: it exits) and reaps it. */
static void keeper_end(MntnsKeeper *k) {
        k->report_fd = safe_close(k->report_fd);
        k->go_fd = safe_close(k->go_fd);
        if (k->pid > 0)
                while (waitpid(k->pid, NULL, 0) < 0 && errno == EINTR)
                        ;
        k->pid = 0;
}

/* The child's report, and its namespace bound at path. 1: the kernel refused the bind as a possible loop of
 * namespaces (EINVAL, nothing logged; see mntns_keep()). */
static int keeper_collect(const char *path, MntnsKeeper *k, bool *ret_setup_failed, int64_t *ret_index) {
        int64_t msg[2] = { -EIO, -1 };
        char proc[64];
        int r;

        if (read(k->report_fd, msg, sizeof msg) != sizeof msg)
                msg[0] = -EIO;
        if (msg[0] < 0) {
                r = (int) msg[0];
                *ret_setup_failed = true;
                *ret_index = msg[1];
        } else {
                snprintf(proc, sizeof proc, "/proc/%d/ns/mnt", (int) k->pid);
                if (mount(proc, path, NULL, MS_BIND, NULL) >= 0)
                        r = 0;
                else if (errno == EINVAL)
                        r = 1;
                else
                        r = log_error_errno(negative_errno(), "Failed to keep a mount namespace at '%s': %m", path);
        }
        keeper_end(k);
        return r;
}

/* The kernel binds a mount namespace's file only into a namespace older than it (else a loop could form), judged
 * by the namespaces' IDs. From the host's first namespace that always holds. From a namespace of its own (a test's
 * unshare -m, a unit with PrivateMounts=) it was refused now and then on 6.18 (measured: 2 of 15 starts): IDs come
 * from a batch per CPU there, so a namespace made later on another CPU can have a smaller one. On the CPU that made
 * ours, a later namespace always has a greater ID: so the child tries once where it lands, then once on each CPU
 * in turn. */
#define KEEP_MAX_CPUS 1024

int mntns_keep_start(const char *path, int (*setup)(void *userdata, int64_t *ret_index), void *userdata,
                     MntnsKeeper *ret) {
        int fd, r;

        fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0400);
        if (fd < 0)
                return log_error_errno(negative_errno(), "Failed to create '%s': %m", path);
        safe_close(fd);
        r = keeper_fork(setup, userdata, -1, ret);
        if (r < 0)
                mntns_unkeep(path);
        return r;
}

int mntns_keep_finish(const char *path, int (*setup)(void *userdata, int64_t *ret_index), void *userdata,
                      MntnsKeeper *k, bool *ret_setup_failed, int64_t *ret_index) {
        long ncpu;
        int r;

        *ret_setup_failed = false;
        *ret_index = -1;
        r = keeper_collect(path, k, ret_setup_failed, ret_index);
        ncpu = sysconf(_SC_NPROCESSORS_CONF);
        ncpu = ncpu < 1 ? 1 : ncpu > KEEP_MAX_CPUS ? KEEP_MAX_CPUS : ncpu;
        for (long cpu = 0; cpu < ncpu && r == 1; cpu++) {
                MntnsKeeper again = MNTNS_KEEPER_NULL;

                r = keeper_fork(setup, userdata, (int) cpu, &again);
                if (r >= 0)
                        r = keeper_collect(path, &again, ret_setup_failed, ret_index);
        }
        if (r == 1)
                r = log_error_errno(-EINVAL, "Failed to keep a mount namespace at '%s' (tried on each of %ld CPUs): %m",
                                    path, ncpu);
        if (r < 0)
                mntns_unkeep(path);
        return r;
}

void mntns_keep_abort(const char *path, MntnsKeeper *k) {
        if (k->pid <= 0)
                return;
        keeper_end(k);
        if (path)
                mntns_unkeep(path);
}

int mntns_keep(const char *path, int (*setup)(void *userdata, int64_t *ret_index), void *userdata,
               bool *ret_setup_failed, int64_t *ret_index) {
        MntnsKeeper k = MNTNS_KEEPER_NULL;
        int r;

        *ret_setup_failed = false;
        *ret_index = -1;
        r = mntns_keep_start(path, setup, userdata, &k);
        return r < 0 ? r : mntns_keep_finish(path, setup, userdata, &k, ret_setup_failed, ret_index);
}

void mntns_unkeep(const char *path) {
        /* the namespace bind only: a file we made, with an nsfs mount on it or none */
        while (umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) >= 0)
                ;
        (void) unlink(path);
}

int mntns_dir_prepare(const char *dir) {
        _cleanup_free_ char *lock = strprintf("%s.lock", dir);
        struct statx sx;
        int fd = -EBADF, r;

        if (!lock)
                return log_oom();
        r = mkdir_p(dir, 0700);
        if (r < 0)
                return log_error_errno(r, "Failed to create '%s': %m", dir);
        r = lock_file_wait(lock, &fd);
        if (r < 0)
                return log_error_errno(r, "Failed to lock '%s': %m", lock);
        if (statx(AT_FDCWD, dir, AT_SYMLINK_NOFOLLOW, STATX_TYPE, &sx) < 0)
                r = log_error_errno(negative_errno(), "Failed to stat '%s': %m", dir);
        else if (!(sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT))
                r = log_error_errno(-EOPNOTSUPP, "Cannot tell whether '%s' is a mount point (kernel before 5.8).", dir);
        else if (!(sx.stx_attributes & STATX_ATTR_MOUNT_ROOT) && mount(dir, dir, NULL, MS_BIND, NULL) < 0)
                r = log_error_errno(negative_errno(), "Failed to bind '%s' onto itself: %m", dir);
        else if (mount(NULL, dir, NULL, MS_PRIVATE, NULL) < 0)
                r = log_error_errno(negative_errno(), "Failed to make '%s' a private mount: %m", dir);
        (void) unlock_file(lock, fd);
        return r;
}
