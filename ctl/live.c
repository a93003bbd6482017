/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Adding store paths to a running container.
 *
 * The container's /nix/store is a slave of PROPAGATE_DIR/NAME on the host, so what we attach there propagates into
 * it, each path as a locked tree (locked-tree.h says how and why): root inside can neither remount it read-write
 * nor unmount it.
 *
 * The trees are built in a private mount namespace of a child process (nothing of that reaches the host); for
 * each batch of them, the child goes back to the host's mount namespace to attach them: a detached tree keeps
 * what it holds across setns(). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "conf.h"
#include "fileio.h"
#include "idmap.h"
#include "live.h"
#include "locked-tree.h"
#include "log.h"
#include "process.h"
#include "propagate.h"
#include "stoppoint.h"
#include "strutil.h"
#include "syscalls.h"
#include "view.h"

#define STAGING RUN_DIR "/staging"

enum { LIVE_STEP_ADD = 1 };

/* Trees are built this many at a time between two trips to the host's mount namespace (each trip is two setns()
 * and a chroot() back into the view; one per path was most of the cost of adding a path). */
#define BATCH 256

/* Attaches trees[0..k) at their names below dst from the host's namespace; -errno with *ret_failed the closure
 * index of the one that failed. */
static int attach_batch(int host_ns, int dst, const Closure *c, int *trees, const size_t *batch, size_t k,
                        size_t *ret_failed) {
        if (setns(host_ns, CLONE_NEWNS) < 0) {
                *ret_failed = batch[0];
                return -errno;
        }
        for (size_t j = 0; j < k; j++) {
                if (sys_move_mount(trees[j], "", dst, c->names[batch[j]], MOVE_MOUNT_F_EMPTY_PATH) < 0) {
                        *ret_failed = batch[j];
                        return -errno;
                }
                trees[j] = safe_close(trees[j]);
        }
        return 0;
}

/* Back in the private namespace (setns() reset root and working directory): root in the view, cwd in staging. */
static int enter_view(int view, int staging) {
        return fchdir(view) < 0 || chroot(".") < 0 || fchdir(staging) < 0 ? -errno : 0;
}

/* Child: exit status 0, or a failure reported (report.h) with its errno and the closure index it failed at. Each tree is built in the
 * private namespace and attached from the host's (move_mount() attaches only in the caller's namespace).
 *
 * One idmapped, read-only view of the store is attached in the private namespace, and each path's two mounts are
 * binds of it, made chrooted into it: a store path that became a symlink since it was looked at resolves inside
 * the view, never to a host directory (store.c says more). The binds inherit the view's flags and idmapping. */
static _noreturn_ void add_in_child(const char *prop, const Closure *c, const bool *missing, int userns_fd,
                                     int report_fd) {
        int host_ns, private_ns = -EBADF, staging = -EBADF, store, dst, view = -EBADF, mnt;
        int trees[BATCH];
        size_t batch[BATCH], k = 0, i = 0;
        char source[PATH_MAX] = "/";

        host_ns = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
        dst = open(prop, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        store = open("/nix/store", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (host_ns < 0 || dst < 0 || store < 0 || unshare(CLONE_NEWNS) < 0 ||
            mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
            mount("nixos-nspawnctl", STAGING, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0700") < 0 ||
            mkdir(STAGING "/view", 0700) < 0 || mkdir(STAGING "/tree", 0700) < 0)
                goto fail;
        /* opened here: open_tree() clones only from mounts of the namespace we are in */
        private_ns = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
        mnt = locked_tree_clone(AT_FDCWD, "/nix/store", AT_SYMLINK_NOFOLLOW, true, userns_fd);
        if (private_ns < 0 || mnt < 0 || sys_move_mount(mnt, "", AT_FDCWD, STAGING "/view", MOVE_MOUNT_F_EMPTY_PATH) < 0)
                goto fail;
        safe_close(mnt);
        view = open(STAGING "/view", O_PATH | O_DIRECTORY | O_CLOEXEC);
        staging = open(STAGING "/tree", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (view < 0 || staging < 0 || enter_view(view, staging) < 0)
                goto fail;
        for (i = 0; i < c->n; i++) {
                const char *name = c->names[i];
                int r;

                if (!missing[i])
                        continue;
                if (c->types[i] == 'l') {
                        /* a symlink needs no mount: the host's clone of the view's tmpfs is writable (through dst); the
                         * closure's other containers see it too (spawn/propagate.c) */
                        char target[4096];
                        ssize_t n = readlinkat(store, name, target, sizeof target - 1);

                        if (n < 0)
                                goto fail;
                        target[n] = 0;
                        if (symlinkat(target, dst, name) < 0)
                                goto fail;
                        continue;
                }
                if (strlen(name) >= sizeof source - 1) {
                        errno = ENAMETOOLONG;
                        goto fail;
                }
                strcpy(source + 1, name);
                r = c->types[i] == 'd' ? mkdirat(staging, name, 0555) : mknodat(staging, name, S_IFREG | 0444, 0);
                if (r < 0)
                        goto fail;
                trees[k] = locked_tree_make(source, name);
                if (trees[k] < 0) {
                        errno = -trees[k];
                        goto fail;
                }
                /* the mount point on the host, through its fd: that works from any namespace */
                r = c->types[i] == 'd' ? mkdirat(dst, name, 0555) : mknodat(dst, name, S_IFREG | 0444, 0);
                if (r < 0 && errno != EEXIST)
                        goto fail;
                batch[k++] = i;
                if (k == 1)
                        test_stop_point("live-mountpoint"); /* a mount point made, nothing attached yet */
                if (k < BATCH)
                        continue;
                if (attach_batch(host_ns, dst, c, trees, batch, k, &i) < 0 || setns(private_ns, CLONE_NEWNS) < 0 ||
                    enter_view(view, staging) < 0)
                        goto fail;
                k = 0;
        }
        if (k > 0 && attach_batch(host_ns, dst, c, trees, batch, k, &i) < 0)
                goto fail;
        _exit(0);
fail:
        process_fail(report_fd, LIVE_STEP_ADD, -errno, i < c->n ? (int64_t) i : -1);
}

/* A mount point the launcher's store view made (spawn/view.c): the container's clone of the view has the path mounted
 * on it (the host's propagation point is a clone of the view's tmpfs alone, so it is a plain directory here). Only
 * host root can set a trusted.* attribute: a live update's own mount points never carry it. */
static bool view_mount_point(int dfd, const char *name) {
        char path[64 + NAME_MAX], v;

        snprintf(path, sizeof path, "/proc/self/fd/%d/%s", dfd, name);
        return lgetxattr(path, VIEW_XATTR, &v, sizeof v) == 1 && v == '1';
}

/* A path is there when its symlink is, or its mount: a mount point alone (an update killed between making it and
 * attaching the tree, the attaching is per batch) is an empty directory or file inside, and a later update that
 * took it for the path would report success over nothing. The mount root is asked of statx(); a kernel without
 * STATX_ATTR_MOUNT_ROOT (before 5.8) is answered by the device: the propagation point is the store view's tmpfs,
 * a mount of the store is on another device. */
static bool present(int dfd, const char *name, char type) {
        struct statx sx, parent;

        if (statx(dfd, name, AT_SYMLINK_NOFOLLOW, STATX_TYPE, &sx) < 0)
                return false;
        if (type == 'l')
                return S_ISLNK(sx.stx_mode);
        if (view_mount_point(dfd, name))
                return true;
        if (sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT)
                return sx.stx_attributes & STATX_ATTR_MOUNT_ROOT;
        return statx(dfd, "", AT_EMPTY_PATH, STATX_TYPE, &parent) >= 0 &&
               (sx.stx_dev_major != parent.stx_dev_major || sx.stx_dev_minor != parent.stx_dev_minor);
}

int live_add_paths(const char *machine, const Leader *l, const Closure *c, size_t *ret_added) {
        _cleanup_free_ char *prop = strprintf(PROPAGATE_DIR "/%s", machine);
        _cleanup_free_ bool *missing = NULL;
        _cleanup_close_ int userns_fd = -EBADF, dfd = -EBADF;
        size_t n_missing = 0;
        ProcessResult res;
        int report = -EBADF, r;
        pid_t pid;

        if (!prop)
                return log_oom();
        dfd = open(prop, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (dfd < 0)
                return log_error_errno(errno == ENOENT ? -EOPNOTSUPP : negative_errno(),
                                       "Container '%s' has no store propagation point '%s' (started by a launcher "
                                       "without live update?): %m", machine, prop);
        missing = calloc(c->n ?: 1, sizeof(bool));
        if (!missing)
                return log_oom();
        /* What the container has is what its propagation point lists: mounts and symlinks. */
        for (size_t i = 0; i < c->n; i++) {
                missing[i] = !present(dfd, c->names[i], c->types[i]);
                n_missing += missing[i];
        }
        *ret_added = n_missing;
        if (n_missing == 0)
                return 0;
        r = leader_userns_fd(l, &userns_fd);
        if (r < 0)
                return r;
        {
                /* -U no: the container shares our user namespace, and the launcher idmapped nothing either */
                struct stat ours, theirs;

                if (fstat(userns_fd, &theirs) >= 0 && stat("/proc/self/ns/user", &ours) >= 0 &&
                    ours.st_ino == theirs.st_ino && ours.st_dev == theirs.st_dev)
                        userns_fd = safe_close(userns_fd);
        }
        if (userns_fd >= 0 && idmap_supported("/nix/store", false, userns_fd) == 0) {
                /* As the launcher did at start (spawn/idmap.c says why that is safe for the store): the added
                 * paths are as read-only, nosuid, nodev and locked, and look owned by nobody like the others. */
                char fs[32];

                idmap_fs_name("/nix/store", fs, sizeof fs);
                log_notice("Store '/nix/store' is on a file system that cannot be idmapped (%s): adding the paths "
                           "without idmapping, as the container's others.", fs);
                userns_fd = safe_close(userns_fd);
        }
        r = mkdir_p(STAGING, 0700);
        if (r < 0)
                return log_error_errno(r, "Failed to create '%s': %m", STAGING);
        {
                ForkSpec spec = FORK_SPEC_INIT;

                spec.keep_fds = &userns_fd;
                spec.n_keep_fds = userns_fd >= 0;
                pid = process_fork(&spec, &report);
        }
        if (pid < 0)
                return log_error_errno(pid, "Failed to fork: %m");
        if (pid == 0)
                add_in_child(prop, c, missing, userns_fd, report);
        r = process_wait(pid, &report, 0, &res);
        if (r < 0)
                return log_error_errno(r, "Failed to wait for the mounting process: %m");
        if (res.failed && res.index >= 0 && (size_t) res.index < c->n)
                return log_error_errno(res.error, "Failed to add store path '/nix/store/%s' to container '%s': %m",
                                       c->names[res.index], machine);
        if (res.failed)
                return log_error_errno(res.error, "Failed to add store paths to container '%s': %m", machine);
        if (res.status != 0)
                return log_error_errno(-EIO, "The process adding store paths to container '%s' ended with status %d.",
                                       machine, res.status);
        return 0;
}
