/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Child-side mounting. Runs between clone() and exec(): no allocation, no logging, -errno returns. Paths inside
 * the new root go through mount-util.h (openat2(RESOLVE_IN_ROOT)). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "mount-util.h"
#include "mounts.h"
#include "resource-limits.h"
#include "strutil.h"
#include "syscalls.h"

#define ROOT_DIR STAGING_DIR "/root"
#define LOWER_DIR STAGING_DIR "/lower"

/* A detached copy of path: read-only (if asked), nosuid, nodev (if asked), idmapped with idmap_fd (if not -EBADF):
 * the container's user namespace makes on-disk owner 0 the container's root, the foreign one on-disk owner
 * FOREIGN_UID_BASE. */
static int clone_tree_mapped(int dfd, const char *path, bool recursive, bool read_only, bool nodev, int idmap_fd) {
        struct mount_attr attr = {
                .attr_set = MOUNT_ATTR_NOSUID | (read_only ? MOUNT_ATTR_RDONLY : 0) | (nodev ? MOUNT_ATTR_NODEV : 0),
        };
        int fd;

        fd = sys_open_tree(dfd, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0));
        if (fd < 0)
                return -errno;
        if (idmap_fd >= 0) {
                attr.attr_set |= MOUNT_ATTR_IDMAP;
                attr.userns_fd = (uint64_t) idmap_fd;
        }
        if (sys_mount_setattr(fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr) < 0) {
                int r = -errno;
                safe_close(fd);
                return r;
        }
        return fd;
}

static int clone_tree(const MountPlan *p, int dfd, const char *path, bool recursive, bool read_only, bool nodev,
                      bool idmap) {
        return clone_tree_mapped(dfd, path, recursive, read_only, nodev, idmap ? p->userns_fd : -EBADF);
}

static int attach(int mnt_fd, const char *path) {
        int r = sys_move_mount(mnt_fd, "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH) < 0 ? -errno : 0;
        safe_close(mnt_fd);
        return r;
}

int mount_staging(const Settings *s) {
        char opts[128] = "mode=0755";

        /* Nothing we mount may propagate back to the host. */
        if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
                return -errno;
        /* with -D it holds the overlay's upper layer, all that the container writes to its root: the root's limit */
        tmpfs_limit_append(s, TMPFS_LIMIT_ROOT, opts, sizeof opts);
        if (mount("nixos-nspawn", STAGING_DIR, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0)
                return -errno;
        if (mkdir(ROOT_DIR, 0755) < 0)
                return -errno;
        return 0;
}

int mount_root(const MountPlan *p, int *ret_root_fd) {
        const Settings *s = p->settings;
        char opts[256];
        int fd, r;

        if (s->directory) {
                /* Overlayfs cannot be idmapped itself: idmap the lower layer, then stack the overlay on it. The
                 * upper layer is the staging tmpfs, so every write is gone with the container. */
                if (mkdir(LOWER_DIR, 0755) < 0 || mkdir(STAGING_DIR "/upper", 0755) < 0 ||
                    mkdir(STAGING_DIR "/work", 0755) < 0 || chown(STAGING_DIR "/upper", p->uid, p->uid) < 0)
                        return -errno;
                /* nodev: device nodes an image ships are not the container's to use (/dev is ours) */
                fd = clone_tree(p, AT_FDCWD, s->directory, false, true, true, p->userns);
                if (fd < 0)
                        return fd;
                r = attach(fd, LOWER_DIR);
                if (r < 0)
                        return r;
                if (mount("overlay", ROOT_DIR, "overlay", MS_NODEV,
                          "lowerdir=" LOWER_DIR ",upperdir=" STAGING_DIR "/upper,workdir=" STAGING_DIR "/work") < 0)
                        return -errno;
        } else {
                tmpfs_options(opts, sizeof opts, "0755", p->uid);
                tmpfs_limit_append(s, TMPFS_LIMIT_ROOT, opts, sizeof opts);
                if (mount("rootfs", ROOT_DIR, "tmpfs", 0, opts) < 0)
                        return -errno;
        }
        fd = open(ROOT_DIR, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        *ret_root_fd = fd;
        return 0;
}

int mount_store(const MountPlan *p, int root_fd, size_t *ret_index) {
        const char *store = p->settings->store_dir;
        struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV };
        int dst, r;

        *ret_index = SIZE_MAX;
        if (p->closure->n == 0)
                return 0;

        /* The clone of the closure's view (view.c), whole: its tmpfs hides whatever an image had at the store path,
         * so only the closure is visible. One call idmaps every mount of it for this container's range; unmapped
         * where the store's file system refuses idmapping (idmap.c says why that is safe): as read-only, nosuid and
         * nodev, and as locked (the copy of our namespace into the container's user namespace locks it), either
         * way. The tmpfs itself is read-only too: the store is read-only to the container, also for adding paths. */
        if (p->userns && !p->unmapped->store) {
                attr.attr_set |= MOUNT_ATTR_IDMAP;
                attr.userns_fd = (uint64_t) p->userns_fd;
        }
        if (sys_mount_setattr(p->store_view_fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr) < 0)
                return -errno;
        dst = mkdir_p_in_root(root_fd, store, 0755, p->uid, false);
        if (dst < 0)
                return dst;
        r = sys_move_mount(p->store_view_fd, "", dst, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0
                    ? -errno
                    : 0;
        safe_close(dst);
        if (r < 0 || !p->store_propagation)
                return r;
        /* A slave of the host's propagation point (a clone of the same tmpfs, propagate.c): what the host mounts
         * there later arrives here, and nothing we mount reaches the host. Our copy of the point is a slave of the
         * host's (mount_staging()), and the group is set from it: the store becomes a slave of the same master. */
        dst = open_in_root(root_fd, store, O_PATH | O_DIRECTORY);
        if (dst < 0)
                return dst;
        r = sys_move_mount(AT_FDCWD, p->store_propagation, dst, "", MOVE_MOUNT_SET_GROUP | MOVE_MOUNT_T_EMPTY_PATH) < 0
                    ? -errno
                    : 0;
        safe_close(dst);
        return r;
}

int mount_binds(const MountPlan *p, int root_fd, size_t *ret_index) {
        const Settings *s = p->settings;
        int r;

        for (size_t i = 0; i < s->n_binds; i++) {
                const BindMount *b = &s->binds[i];
                IdmapMode idmap = bind_idmap(b, p->userns);
                /* Foreign: what root inside writes is owned by FOREIGN_UID_BASE on disk, an ID no host user has, so
                 * no file the host trusts (setuid root, root-owned config) can be made through a bind. */
                int idmap_fd = idmap == IDMAP_FOREIGN ? p->foreign_userns_fd
                               : idmap == IDMAP_YES   ? p->userns_fd
                                                      : -EBADF;
                /* A read-only bind whose file system refuses idmapping (never a writable one: idmap.c) */
                if (p->unmapped->binds && p->unmapped->binds[i])
                        idmap_fd = -EBADF;
                struct stat st;
                int mnt, target;

                *ret_index = i;
                if (stat(b->source, &st) < 0)
                        return -errno;
                mnt = clone_tree_mapped(AT_FDCWD, b->source, b->recursive, b->read_only, false, idmap_fd);
                if (mnt < 0)
                        return mnt;
                target = mkdir_p_in_root(root_fd, b->destination, 0755, p->uid, !S_ISDIR(st.st_mode));
                if (target < 0) {
                        safe_close(mnt);
                        return target;
                }
                r = sys_move_mount(mnt, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0
                            ? -errno
                            : 0;
                safe_close(mnt);
                safe_close(target);
                if (r < 0)
                        return r;
        }
        return 0;
}

int mount_tmpfs(const MountPlan *p, int root_fd, size_t *ret_index) {
        const Settings *s = p->settings;
        char opts[256];
        int r;

        for (size_t i = 0; i < s->n_tmpfs; i++) {
                const char *size, *nr_inodes;
                char mode[8];

                *ret_index = i;
                snprintf(mode, sizeof mode, "%04o", (unsigned) s->tmpfs[i].mode);
                tmpfs_options(opts, sizeof opts, mode, p->uid);
                /* (checked by parse_tmpfs_spec(): digits and a suffix, well within opts) */
                /* what the --tmpfs does not say, the default for a --tmpfs (resource-limits.c) */
                tmpfs_limit_get(s, TMPFS_LIMIT_USER, &size, &nr_inodes);
                snprintf(opts + strlen(opts), sizeof opts - strlen(opts), ",size=%s,nr_inodes=%s",
                         s->tmpfs[i].size ?: size, s->tmpfs[i].nr_inodes ?: nr_inodes);
                r = mount_in_root(root_fd, s->tmpfs[i].destination, "tmpfs", "tmpfs", MS_NOSUID | MS_NODEV, opts,
                                  p->uid, false);
                if (r < 0)
                        return r;
        }
        return 0;
}

int mount_pivot_root(int root_fd) {
        if (fchdir(root_fd) < 0)
                return -errno;
        /* Stack the old root on top of the new one and detach it: no directory for it needed. */
        if (sys_pivot_root(".", ".") < 0)
                return -errno;
        if (umount2(".", MNT_DETACH) < 0)
                return -errno;
        if (chdir("/") < 0)
                return -errno;
        return 0;
}
