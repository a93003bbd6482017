/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Where idmapping is refused, and what the launcher does then.
 *
 * The store is read-only, nosuid and nodev whatever its mapping, and locked so (mounts.c, propagate.c): unmapped, its
 * root-owned files look owned by nobody (the overflow ID 65534) inside, as under systemd-nspawn -U, and root inside
 * can still read and run them. Nothing can be written through it, so the mapping decides only how owners look, never
 * who owns what on disk: falling back is safe, and it is what lets the launcher start in a NixOS VM test (an overlay
 * store) or on a host whose store is on NFS.
 *
 * A writable bind is another matter: its mapping decides the owners of every file root inside writes, on the host's
 * disk. Unmapped, they would belong to whatever UID range this start picked (a host UID another container may get
 * next time), and the files that are there (in the foreign range, or 0..65535 for 'idmap') would be nobody's and
 * unwritable inside. That is a different bind from the one asked for, so it is refused with the way out named
 * ('noidmap', explicit), never done quietly. A read-only bind falls back like the store: nothing can be written.
 *
 * An image directory (-D) is refused too: unmapped, every file of it is nobody's inside, root cannot change /etc
 * (the overlay's upper layer takes writes only where the permission check passes), and the boot fails in ways far
 * from the cause. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/vfs.h>

#include "idmap.h"
#include "log.h"
#include "macro.h"
#include "syscalls.h"

int idmap_supported(const char *path, bool recursive, int userns_fd) {
        struct mount_attr idmap = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t) userns_fd };
        struct mount_attr plain = { .attr_set = MOUNT_ATTR_NOSUID };
        unsigned flags = AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0);
        _cleanup_close_ int fd = -EBADF;
        int r;

        /* A detached clone: what we set on it reaches no mount anybody uses, and it goes with the fd. */
        fd = sys_open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0));
        if (fd < 0)
                return -errno;
        if (sys_mount_setattr(fd, "", flags, &idmap) >= 0)
                return 1;
        r = -errno;
        /* The kernel's answers when the file system is the reason (fs/namespace.c, can_idmap_mount()): EINVAL when
         * it does not allow idmapping (overlayfs, 9p, NFS, CIFS, FUSE, older ZFS: measured EINVAL for overlayfs on
         * 6.18), EPERM when the mount is idmapped already (a store that is an idmapped mount itself, as in a nested
         * container; measured too). EOPNOTSUPP is not among them. EPERM is also "no privilege" and EINVAL "no such
         * attribute": the same clone must then take a plain attribute before we call it a refusal of idmapping
         * alone. (EINVAL for a bad user namespace fd cannot be told apart; ours is the container's, made by us.) */
        if (r != -EINVAL && r != -EPERM)
                return r;
        if (sys_mount_setattr(fd, "", flags, &plain) < 0)
                return r;
        return 0;
}

void idmap_fs_name(const char *path, char *buf, size_t size) {
        static const struct {
                unsigned long magic;
                const char *name;
        } names[] = {
                { OVERLAYFS_SUPER_MAGIC, "overlay" }, { V9FS_MAGIC, "9p" },     { NFS_SUPER_MAGIC, "nfs" },
                { FUSE_SUPER_MAGIC, "fuse" },         { CIFS_SUPER_MAGIC, "cifs" }, { SMB2_SUPER_MAGIC, "smb3" },
                { 0x2fc12fc1UL, "zfs" },              { CEPH_SUPER_MAGIC, "ceph" },
        };
        struct statfs st;

        if (statfs(path, &st) < 0) {
                snprintf(buf, size, "unknown");
                return;
        }
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if ((unsigned long) st.f_type == names[i].magic) {
                        snprintf(buf, size, "%s", names[i].name);
                        return;
                }
        snprintf(buf, size, "type 0x%lx", (unsigned long) st.f_type);
}

void idmap_fallback_done(IdmapFallback *f) {
        free(f->binds);
        f->binds = NULL;
        f->store = false;
}

/* Asked with the container's own mapping also for a foreign bind: whether a file system takes an idmapping does not
 * depend on which one (and so this runs before the foreign mapping is made, and before its ownership warning). */
static int plan_binds(const Settings *s, int userns_fd, IdmapFallback *f) {
        char fs[32];

        for (size_t i = 0; i < s->n_binds; i++) {
                const BindMount *b = &s->binds[i];

                if (bind_idmap(b, true) == IDMAP_NO || idmap_supported(b->source, b->recursive, userns_fd) != 0)
                        continue;
                idmap_fs_name(b->source, fs, sizeof fs);
                /* Security: see the top of this file. A writable bind is never quietly unmapped. */
                if (!b->read_only)
                        return log_error_errno(-EOPNOTSUPP,
                                               "Bind source '%s' is on a file system that cannot be idmapped (%s), "
                                               "and a writable bind is not mapped otherwise: bind it with the option "
                                               "'noidmap' (files written inside then belong to this start's UID range "
                                               "on the host) or read-only.",
                                               b->source, fs);
                if (!f->binds) {
                        f->binds = calloc(s->n_binds, sizeof(bool));
                        if (!f->binds)
                                return log_oom();
                }
                f->binds[i] = true;
                log_warning("Bind source '%s' is on a file system that cannot be idmapped (%s): bound read-only "
                            "without idmapping, its files look owned by nobody inside.", b->source, fs);
        }
        return 0;
}

int idmap_plan(const Settings *s, bool has_closure, int userns_fd, IdmapFallback *ret) {
        IdmapFallback f = {};
        char fs[32];
        int r;

        *ret = f;
        if (s->userns == USERNS_NO || userns_fd < 0)
                return 0; /* nothing is idmapped */
        if (s->directory && idmap_supported(s->directory, false, userns_fd) == 0) {
                idmap_fs_name(s->directory, fs, sizeof fs);
                /* Not a fallback: see the top of this file. */
                return log_error_errno(-EOPNOTSUPP,
                                       "Image directory '%s' is on a file system that cannot be idmapped (%s): its "
                                       "files would be nobody's inside. Use a directory on a file system that can "
                                       "(ext4, XFS, btrfs, tmpfs).",
                                       s->directory, fs);
        }
        if (has_closure && idmap_supported(s->store_dir, false, userns_fd) == 0) {
                idmap_fs_name(s->store_dir, fs, sizeof fs);
                f.store = true;
                /* One line for the whole store, not one per path. */
                log_warning("Store '%s' is on a file system that cannot be idmapped (%s): its paths are mounted "
                            "read-only without idmapping and look owned by nobody (65534) inside.",
                            s->store_dir, fs);
        }
        r = plan_binds(s, userns_fd, &f);
        if (r < 0) {
                idmap_fallback_done(&f);
                return r;
        }
        *ret = f;
        return 0;
}
