/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Adding store paths to a running container.
 *
 * The container's /nix/store is a slave of PROPAGATE_DIR/NAME on the host, so what we attach there propagates into
 * it, and arrives with its flags locked: read-only, nosuid and nodev stay. The kernel does not lock the top mount
 * of a propagated tree against unmounting, though (only the mounts below it), so each path is attached as a tree
 * of two: an idmapped clone of the path, with a second one stacked on it. Inside, the path resolves to the upper
 * one, which is locked: root there can neither remount it read-write nor unmount it; and the lower one is never
 * reachable by a path.
 *
 * The trees are built in a private mount namespace of a child process (nothing of that reaches the host); for
 * each, the child goes back to the host's mount namespace to attach it: a detached tree keeps what it holds across
 * setns(). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conf.h"
#include "fileio.h"
#include "live.h"
#include "log.h"
#include "propagate.h"
#include "strutil.h"
#include "syscalls.h"

#define STAGING RUN_DIR "/staging"

/* A detached, read-only, nosuid, nodev clone of dfd/name, idmapped into the container's user namespace. */
static int clone_idmapped(int dfd, const char *name, int userns_fd) {
        struct mount_attr attr = {
                .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
                            (userns_fd >= 0 ? MOUNT_ATTR_IDMAP : 0),
                .userns_fd = (uint64_t) (userns_fd >= 0 ? userns_fd : 0),
        };
        int fd = sys_open_tree(dfd, name, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_SYMLINK_NOFOLLOW);

        if (fd < 0)
                return -errno;
        if (sys_mount_setattr(fd, "", AT_EMPTY_PATH, &attr) < 0) {
                int r = -errno;
                safe_close(fd);
                return r;
        }
        return fd;
}

/* Child: exit status 0, or 1 with the failing index and errno written to report_fd. Each tree is built in the
 * private namespace and attached from the host's (move_mount() attaches only in the caller's namespace). */
static _noreturn_ void add_in_child(const char *prop, const Closure *c, const bool *missing, int userns_fd,
                                     int report_fd) {
        int host_ns, private_ns = -EBADF, staging = -EBADF, store, dst;
        size_t i = 0;

        host_ns = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
        dst = open(prop, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (host_ns < 0 || dst < 0 || unshare(CLONE_NEWNS) < 0 ||
            mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
            mount("nixos-nspawnctl", STAGING, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0700") < 0)
                goto fail;
        /* opened here: open_tree() clones only from mounts of the namespace we are in */
        private_ns = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
        staging = open(STAGING, O_PATH | O_DIRECTORY | O_CLOEXEC);
        store = open("/nix/store", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (private_ns < 0 || staging < 0 || store < 0)
                goto fail;
        for (i = 0; i < c->n; i++) {
                const char *name = c->names[i];
                int lower, upper, r, tree;

                if (!missing[i])
                        continue;
                if (c->types[i] == 'l') {
                        /* a symlink needs no mount: the host's view of the store ramfs is writable */
                        char target[4096];
                        ssize_t n = readlinkat(store, name, target, sizeof target - 1);

                        if (n < 0)
                                goto fail;
                        target[n] = 0;
                        if (symlinkat(target, dst, name) < 0)
                                goto fail;
                        continue;
                }
                r = c->types[i] == 'd' ? mkdirat(staging, name, 0555) : mknodat(staging, name, S_IFREG | 0444, 0);
                if (r < 0)
                        goto fail;
                lower = clone_idmapped(store, name, userns_fd);
                if (lower < 0 || sys_move_mount(lower, "", staging, name, MOVE_MOUNT_F_EMPTY_PATH) < 0)
                        goto fail;
                upper = clone_idmapped(store, name, userns_fd);
                if (upper < 0 || sys_move_mount(upper, "", staging, name, MOVE_MOUNT_F_EMPTY_PATH) < 0)
                        goto fail;
                safe_close(upper);
                /* through the lower one's own fd: a path would resolve to the upper one alone */
                tree = sys_open_tree(lower, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH);
                safe_close(lower);
                if (tree < 0 || setns(host_ns, CLONE_NEWNS) < 0)
                        goto fail;
                r = c->types[i] == 'd' ? mkdirat(dst, name, 0555) : mknodat(dst, name, S_IFREG | 0444, 0);
                if ((r < 0 && errno != EEXIST) || sys_move_mount(tree, "", dst, name, MOVE_MOUNT_F_EMPTY_PATH) < 0 ||
                    setns(private_ns, CLONE_NEWNS) < 0)
                        goto fail;
                safe_close(tree);
        }
        _exit(0);
fail:;
        int err = errno;
        char msg[64];
        int len = snprintf(msg, sizeof msg, "%zu %d", i, err);

        if (write(report_fd, msg, (size_t) len) < 0)
                _exit(2);
        _exit(1);
}

int live_add_paths(const char *machine, const Leader *l, const Closure *c, size_t *ret_added) {
        _cleanup_free_ char *prop = strprintf(PROPAGATE_DIR "/%s", machine);
        _cleanup_free_ bool *missing = NULL;
        _cleanup_close_ int userns_fd = -EBADF, dfd = -EBADF;
        size_t n_missing = 0;
        int pipefd[2], status, r;
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
        /* What the container has is what its propagation point lists: mount points and symlinks. */
        for (size_t i = 0; i < c->n; i++) {
                struct stat st;

                missing[i] = fstatat(dfd, c->names[i], &st, AT_SYMLINK_NOFOLLOW) < 0;
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
        r = mkdir_p(STAGING, 0700);
        if (r < 0)
                return log_error_errno(r, "Failed to create '%s': %m", STAGING);
        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return log_error_errno(negative_errno(), "Failed to create a pipe: %m");
        pid = fork();
        if (pid < 0)
                return log_error_errno(negative_errno(), "Failed to fork: %m");
        if (pid == 0) {
                safe_close(pipefd[0]);
                add_in_child(prop, c, missing, userns_fd, pipefd[1]);
        }
        safe_close(pipefd[1]);
        {
                char msg[64] = "";
                ssize_t k = read(pipefd[0], msg, sizeof msg - 1);
                size_t index;
                int err;

                safe_close(pipefd[0]);
                if (waitpid(pid, &status, 0) < 0)
                        return log_error_errno(negative_errno(), "Failed to wait for the mounting process: %m");
                if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                        return 0;
                if (k > 0 && sscanf(msg, "%zu %d", &index, &err) == 2 && index < c->n)
                        return log_error_errno(-err, "Failed to add store path '/nix/store/%s' to container '%s': %m",
                                               c->names[index], machine);
                return log_error_errno(-EIO, "Failed to add store paths to container '%s'.", machine);
        }
}
