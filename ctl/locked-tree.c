/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include "locked-tree.h"
#include "macro.h"
#include "syscalls.h"

int locked_tree_clone(int dfd, const char *path, unsigned open_flags, bool read_only, int userns_fd) {
        struct mount_attr attr = {
                .attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | (read_only ? MOUNT_ATTR_RDONLY : 0) |
                            (userns_fd >= 0 ? MOUNT_ATTR_IDMAP : 0),
                .userns_fd = (uint64_t) (userns_fd >= 0 ? userns_fd : 0),
        };
        int fd = sys_open_tree(dfd, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | open_flags);

        if (fd < 0)
                return -errno;
        if (sys_mount_setattr(fd, "", AT_EMPTY_PATH, &attr) < 0) {
                int r = -errno;
                safe_close(fd);
                return r;
        }
        return fd;
}

int locked_tree_make(const char *source, const char *name) {
        int lower, tree;

        if (mount(source, name, NULL, MS_BIND, NULL) < 0)
                return -errno;
        /* the lower one's own fd, taken before the upper one covers it: a path would resolve to the upper one
         * alone, and its clone would leave the lower one out */
        lower = open(name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (lower < 0)
                return -errno;
        if (mount(source, name, NULL, MS_BIND, NULL) < 0) {
                int r = -errno;
                safe_close(lower);
                return r;
        }
        tree = sys_open_tree(lower, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH);
        if (tree < 0)
                tree = -errno;
        safe_close(lower);
        return tree;
}
