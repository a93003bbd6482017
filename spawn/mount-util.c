/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Paths inside the new root, for the children: no allocation, no logging, -errno returns.
 *
 * Paths inside the new root are resolved with openat2(RESOLVE_IN_ROOT) and mounted through the resulting fd, so
 * a symlink in an image (-D) can never point a mount made with host privileges at a host path. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "macro.h"
#include "mount-util.h"

const char *fd_path(FdPath buf, int fd) {
        snprintf(buf, sizeof(FdPath), "/proc/self/fd/%d", fd);
        return buf;
}

int open_in_root(int root_fd, const char *rel, int flags) {
        struct open_how how = {
                .flags = (uint64_t) flags | O_CLOEXEC,
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };
        int fd = (int) syscall(SYS_openat2, root_fd, rel, &how, sizeof how);

        return fd < 0 ? -errno : fd;
}

/* Makes every missing directory of rel (relative to the root), owned by uid, and opens the last one with O_PATH.
 * With make_file the last component is made as an empty file instead (a mount point for a file bind). */
int mkdir_p_in_root(int root_fd, const char *rel, mode_t mode, uid_t uid, bool make_file) {
        char buf[PATH_MAX];
        size_t len;

        while (*rel == '/')
                rel++;
        len = strlen(rel);
        if (len == 0)
                return open_in_root(root_fd, ".", O_PATH | O_DIRECTORY);
        if (len >= sizeof buf)
                return -ENAMETOOLONG;
        memcpy(buf, rel, len + 1);

        for (size_t i = 0; i <= len; i++) {
                bool last = i == len;
                const char *slash;
                int fd, parent, r;

                if (!last && buf[i] != '/')
                        continue;
                buf[i] = 0;
                fd = open_in_root(root_fd, buf, O_PATH | (last && make_file ? 0 : O_DIRECTORY));
                if (fd == -ENOENT) {
                        slash = strrchr(buf, '/');
                        if (slash) {
                                buf[slash - buf] = 0;
                                parent = open_in_root(root_fd, buf, O_PATH | O_DIRECTORY);
                                buf[slash - buf] = '/';
                        } else
                                parent = open_in_root(root_fd, ".", O_PATH | O_DIRECTORY);
                        if (parent < 0)
                                return parent;
                        slash = slash ? slash + 1 : buf;
                        r = last && make_file ? mknodat(parent, slash, S_IFREG | 0644, 0) : mkdirat(parent, slash, mode);
                        if (r >= 0 || errno == EEXIST)
                                r = fchownat(parent, slash, uid, uid, AT_SYMLINK_NOFOLLOW);
                        r = r < 0 ? -errno : 0;
                        safe_close(parent);
                        if (r < 0)
                                return r;
                        fd = open_in_root(root_fd, buf, O_PATH | (last && make_file ? 0 : O_DIRECTORY));
                }
                if (fd < 0)
                        return fd;
                if (last)
                        return fd;
                safe_close(fd);
                buf[i] = '/';
        }
        return -EINVAL; /* not reached */
}

/* mount(2) onto a directory (or file) of the new root, made when missing. */
int mount_in_root(int root_fd, const char *rel, const char *src, const char *fstype, unsigned long flags,
                         const char *data, uid_t uid, bool file) {
        FdPath p;
        int fd, r;

        fd = mkdir_p_in_root(root_fd, rel, 0755, uid, file);
        if (fd < 0)
                return fd;
        r = mount(src, fd_path(p, fd), fstype, flags, data) < 0 ? -errno : 0;
        safe_close(fd);
        return r;
}

int remount_in_root(int root_fd, const char *rel, unsigned long flags) {
        FdPath p;
        int fd, r;

        fd = open_in_root(root_fd, rel, O_PATH);
        if (fd < 0)
                return fd;
        r = mount(NULL, fd_path(p, fd), NULL, MS_REMOUNT | MS_BIND | flags, NULL) < 0 ? -errno : 0;
        safe_close(fd);
        return r;
}

void tmpfs_options(char *buf, size_t size, const char *mode, uid_t uid) {
        snprintf(buf, size, "mode=%s,uid=%u,gid=%u", mode, (unsigned) uid, (unsigned) uid);
}

