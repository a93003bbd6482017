/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Child-side mounting. Runs between clone() and exec(): no allocation, no logging, -errno returns. Paths inside
 * the new root go through mount-util.h (openat2(RESOLVE_IN_ROOT)). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include "fileio.h"
#include "mount-util.h"
#include "mounts.h"
#include "strutil.h"
#include "syscalls.h"

#define ROOT_DIR STAGING_DIR "/root"
#define STORE_STAGING_DIR STAGING_DIR "/store"
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

int mount_staging(void) {
        /* Nothing we mount may propagate back to the host. */
        if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
                return -errno;
        if (mount("nixos-nspawn", STAGING_DIR, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0)
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
        char opts[256];
        FdPath fp;
        int src, dst, r;

        *ret_index = SIZE_MAX;
        if (p->closure->n == 0)
                return 0;

        /* One read-only, idmapped view of the whole store, attached only in our private namespace; each closure
         * path is cloned from it fd-relative, inheriting its flags and idmapping. The view itself goes away
         * with the old root at pivot_root. */
        if (mkdir(STORE_STAGING_DIR, 0700) < 0)
                return -errno;
        src = clone_tree(p, AT_FDCWD, store, false, true, true, p->userns);
        if (src < 0)
                return src;
        r = attach(src, STORE_STAGING_DIR);
        if (r < 0)
                return r;
        src = open(STORE_STAGING_DIR, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (src < 0)
                return -errno;

        /* A fresh tmpfs at the store path hides whatever an image had there: only the closure is visible. With a
         * propagation point it is the host's tmpfs, bound here as a slave of it (propagate.c says why). */
        tmpfs_options(opts, sizeof opts, "0755", p->uid);
        if (p->store_propagation)
                r = mount_in_root(root_fd, store, p->store_propagation, NULL, MS_BIND, NULL, p->uid, false);
        else
                r = mount_in_root(root_fd, store, "store", "tmpfs", MS_NOSUID | MS_NODEV, opts, p->uid, false);
        if (r < 0)
                goto finish;
        dst = open_in_root(root_fd, store, O_PATH | O_DIRECTORY);
        if (dst < 0) {
                r = dst;
                goto finish;
        }
        /* The bind of a slave is a slave already; said again so that nothing we mount below reaches the host. */
        if (p->store_propagation && mount(NULL, fd_path(fp, dst), NULL, MS_SLAVE, NULL) < 0) {
                r = -errno;
                safe_close(dst);
                goto finish;
        }
        r = store_mount_closure(p->closure, src, dst, ret_index);
        /* The store is read-only to the container, also for adding paths. */
        if (r >= 0 && mount(NULL, fd_path(fp, dst), NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV,
                            NULL) < 0)
                r = -errno;
        safe_close(dst);
finish:
        safe_close(src);
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
                char mode[8];

                *ret_index = i;
                snprintf(mode, sizeof mode, "%04o", (unsigned) s->tmpfs[i].mode);
                tmpfs_options(opts, sizeof opts, mode, p->uid);
                r = mount_in_root(root_fd, s->tmpfs[i].destination, "tmpfs", "tmpfs", MS_NOSUID | MS_NODEV, opts,
                                  p->uid, false);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* A --tmpfs=/tmp or --bind=…:/tmp replaces our /tmp. */
static bool tmp_given(const Settings *s) {
        for (size_t i = 0; i < s->n_binds; i++)
                if (streq(s->binds[i].destination, "/tmp"))
                        return true;
        for (size_t i = 0; i < s->n_tmpfs; i++)
                if (streq(s->tmpfs[i].destination, "/tmp"))
                        return true;
        return false;
}

static bool tmp_mount_outside(const Settings *s) {
        const char *rest;

        for (size_t i = 0; i < s->n_binds; i++)
                if ((rest = path_startswith(s->binds[i].destination, "/tmp")) && *rest)
                        return true;
        for (size_t i = 0; i < s->n_tmpfs; i++)
                if ((rest = path_startswith(s->tmpfs[i].destination, "/tmp")) && *rest)
                        return true;
        return false;
}

int mount_dev(const MountPlan *p, int root_fd) {
        static const char *const nodes[] = { "null", "zero", "full", "random", "urandom", "tty" };
        static const struct {
                const char *name, *target;
        } links[] = {
                { "fd", "/proc/self/fd" },         { "stdin", "/proc/self/fd/0" }, { "stdout", "/proc/self/fd/1" },
                { "stderr", "/proc/self/fd/2" },   { "ptmx", "pts/ptmx" },         { "core", "/proc/kcore" },
        };
        char opts[256], src[64], rel[64];
        int dev, r;

        /* Not nodev: the host's device nodes are bound in (mknod is not allowed in a user namespace). */
        tmpfs_options(opts, sizeof opts, "0755", p->uid);
        r = mount_in_root(root_fd, "dev", "tmpfs", "tmpfs", MS_NOSUID | MS_STRICTATIME, opts, p->uid, false);
        if (r < 0)
                return r;

        for (size_t i = 0; i < ELEMENTSOF(nodes); i++) {
                snprintf(src, sizeof src, "/dev/%s", nodes[i]);
                snprintf(rel, sizeof rel, "dev/%s", nodes[i]);
                r = mount_in_root(root_fd, rel, src, NULL, MS_BIND, NULL, p->uid, true);
                if (r < 0)
                        return r;
        }
        r = mount_in_root(root_fd, "dev/console", p->console ?: "/dev/null", NULL, MS_BIND, NULL, p->uid, true);
        if (r < 0)
                return r;

        dev = open_in_root(root_fd, "dev", O_PATH | O_DIRECTORY);
        if (dev < 0)
                return dev;
        for (size_t i = 0; i < ELEMENTSOF(links); i++)
                if (symlinkat(links[i].target, dev, links[i].name) < 0 ||
                    fchownat(dev, links[i].name, p->uid, p->uid, AT_SYMLINK_NOFOLLOW) < 0) {
                        r = -errno;
                        break;
                }
        if (r >= 0)
                for (const char *d = "pts\0shm\0mqueue\0"; *d; d += strlen(d) + 1)
                        if (mkdirat(dev, d, 0755) < 0 || fchownat(dev, d, p->uid, p->uid, 0) < 0) {
                                r = -errno;
                                break;
                        }
        safe_close(dev);
        return r;
}

/* /run/host: the container manager's files, per systemd's container interface. Read-only once filled. */
int mount_run(const MountPlan *p, int root_fd) {
        static const struct {
                const char *name;
                mode_t type;
        } inaccessible[] = {
                { "reg", S_IFREG }, { "dir", S_IFDIR }, { "fifo", S_IFIFO },
                { "sock", S_IFSOCK }, { "chr", S_IFCHR }, { "blk", S_IFBLK },
        };
        char opts[256], uuid[40];
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        FdPath fp;
        int host, inacc, r;

        tmpfs_options(opts, sizeof opts, "0755", p->uid);
        r = mount_in_root(root_fd, "run", "tmpfs", "tmpfs", MS_NOSUID | MS_NODEV | MS_STRICTATIME, opts, p->uid, false);
        if (r < 0)
                return r;
        if (tmp_mount_outside(p->settings) && !tmp_given(p->settings)) {
                tmpfs_options(opts, sizeof opts, "1777", p->uid);
                r = mount_in_root(root_fd, "tmp", "tmpfs", "tmpfs", MS_NOSUID | MS_NODEV, opts, p->uid, false);
                if (r < 0)
                        return r;
        }
        for (const char *d = "proc\0sys\0tmp\0"; *d; d += strlen(d) + 1) {
                int fd = mkdir_p_in_root(root_fd, d, 0555, p->uid, false);
                if (fd < 0)
                        return fd;
                safe_close(fd);
        }

        host = mkdir_p_in_root(root_fd, "run/host", 0755, p->uid, false);
        if (host < 0)
                return host;
        /* O_PATH fds cannot be written through; reopen the directory for real */
        r = openat(host, ".", O_DIRECTORY | O_CLOEXEC);
        safe_close(host);
        if (r < 0)
                return -errno;
        host = r;

        snprintf(uuid, sizeof uuid, "%s\n", p->uuid);
        r = write_file_at(host, "os-release", p->os_release, strlen(p->os_release), 0444, p->uid);
        if (r >= 0)
                r = write_file_at(host, "container-manager", "nixos-nspawn\n", STRLEN("nixos-nspawn\n"), 0444,
                                  p->uid);
        if (r >= 0)
                r = write_file_at(host, "container-uuid", uuid, strlen(uuid), 0444, p->uid);
        if (r < 0)
                goto finish;

        /* Placeholders that systemd (and our /proc masks) bind over things that must not be reachable. */
        if (mkdirat(host, "inaccessible", 0755) < 0) {
                r = -errno;
                goto finish;
        }
        inacc = openat(host, "inaccessible", O_DIRECTORY | O_CLOEXEC);
        if (inacc < 0) {
                r = -errno;
                goto finish;
        }
        for (size_t i = 0; i < ELEMENTSOF(inaccessible) && r >= 0; i++) {
                const char *n = inaccessible[i].name;

                if (inaccessible[i].type == S_IFDIR)
                        r = mkdirat(inacc, n, 0);
                else
                        r = mknodat(inacc, n, inaccessible[i].type, makedev(0, 0));
                if (r >= 0)
                        r = fchownat(inacc, n, p->uid, p->uid, AT_SYMLINK_NOFOLLOW);
                if (r >= 0)
                        r = fchmodat(inacc, n, 0, 0);
                r = r < 0 ? -errno : 0;
        }
        if (r >= 0 && fchmodat(host, "inaccessible", 0555, 0) < 0)
                r = -errno;
        safe_close(inacc);
        if (r < 0)
                goto finish;

        /* The notify socket was made by the parent; binding it here gives it a name only the container sees.
         * Only the container's root may send on it. */
        snprintf(sa.sun_path, sizeof sa.sun_path, "%s/notify", fd_path(fp, host));
        if (bind(p->notify_fd, (struct sockaddr *) &sa, sizeof sa) < 0 ||
            fchownat(host, "notify", p->uid, p->uid, 0) < 0 || fchmodat(host, "notify", 0600, 0) < 0) {
                r = -errno;
                goto finish;
        }

        /* credentials_mount() mounts on it, once /run/host is read-only */
        if (p->credentials->n > 0 && mkdirat(host, "credentials", 0500) < 0) {
                r = -errno;
                goto finish;
        }

        r = mount(fd_path(fp, host), fp, NULL, MS_BIND, NULL) < 0 ? -errno : 0;
        if (r >= 0)
                r = remount_in_root(root_fd, "run/host", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
finish:
        safe_close(host);
        return r;
}

/* The container's user namespace may mount proc and sysfs only where an instance of each is already fully
 * visible in its mount namespace (the kernel's mount_too_revealing()). The root is pivoted before that namespace
 * exists, so the host's instances are gone: mount placeholders here, with host privileges, that the container
 * then covers with its own. The proc placeholder shows no process the container could not ptrace anyway
 * (hidepid=invisible) and nothing but process directories (subset=pid), in case someone unmounts the cover. */
int mount_placeholders(int root_fd) {
        int r;

        r = mount_in_root(root_fd, "proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                          "hidepid=invisible,subset=pid", 0, false);
        if (r < 0)
                return r;
        return mount_sysfs(root_fd);
}

int mount_sysfs(int root_fd) {
        return mount_in_root(root_fd, "sys", "sysfs", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, 0,
                             false);
}

/* Binds src over dst (both in the root) as a detached copy given its flags before it is attached: one step, and
 * nobody ever sees it writable. A missing dst is fine (not every kernel has every file). */
static int bind_attached_with(int root_fd, const char *src, const char *dst, uint64_t set, uint64_t clear,
                              bool recursive) {
        struct mount_attr attr = { .attr_set = set, .attr_clr = clear };
        int fd, mnt, r;

        fd = open_in_root(root_fd, dst, O_PATH);
        if (fd == -ENOENT)
                return 0;
        if (fd < 0)
                return fd;
        mnt = open_in_root(root_fd, src, O_PATH);
        if (mnt >= 0) {
                int tree = sys_open_tree(mnt, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH |
                                                          (recursive ? AT_RECURSIVE : 0));
                safe_close(mnt);
                mnt = tree < 0 ? -errno : tree;
        }
        if (mnt < 0) {
                safe_close(fd);
                return mnt;
        }
        r = sys_mount_setattr(mnt, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr) < 0 ? -errno : 0;
        if (r >= 0)
                r = sys_move_mount(mnt, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0 ? -errno : 0;
        safe_close(mnt);
        safe_close(fd);
        return r;
}

#define RO_ATTRS (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC)

/* Run by the proc helper (apifs.c), in the container's PID namespace with host privileges, before PID 1 copies
 * the mount namespace into its own: there all of it is locked. */
int mount_proc(const MountPlan *p, int root_fd) {
        /* Kernel interfaces that reveal or change host state: covered by an inaccessible file. */
        static const char *const masked[] = { "proc/kcore", "proc/keys", "proc/sysrq-trigger", "proc/timer_list",
                                              "proc/kallsyms" };
        static const char *const read_only[] = { "proc/acpi", "proc/apm", "proc/asound", "proc/bus",
                                                 "proc/fs",   "proc/irq", "proc/scsi" };
        int r;

        r = mount_in_root(root_fd, "proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL,
                          p->userns ? 0 : p->uid, false);
        if (r < 0)
                return r;

        r = bind_attached_with(root_fd, "proc/sys", "proc/sys", RO_ATTRS, 0, true);
        if (r < 0)
                return r;
        if (p->settings->private_network) {
                /* our own network namespace: its sysctls are ours to change */
                r = bind_attached_with(root_fd, "proc/sys/net", "proc/sys/net",
                                       MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, MOUNT_ATTR_RDONLY,
                                       false);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < ELEMENTSOF(masked) && r >= 0; i++)
                r = bind_attached_with(root_fd, "run/host/inaccessible/reg", masked[i], RO_ATTRS, 0, false);
        for (size_t i = 0; i < ELEMENTSOF(read_only) && r >= 0; i++)
                r = bind_attached_with(root_fd, read_only[i], read_only[i], RO_ATTRS, 0, true);
        return r;
}

int mount_late(const MountPlan *p, int root_fd) {
        /* In the container's user namespace: its root is 0 there (the host's view of it is unmapped) */
        uid_t uid = p->userns ? 0 : p->uid;
        int r;

        /* gid=5: tty inside the container */
        r = mount_in_root(root_fd, "dev/pts", "devpts", "devpts", MS_NOSUID | MS_NOEXEC,
                          "newinstance,ptmxmode=0666,mode=0620,gid=5", uid, false);
        if (r < 0)
                return r;
        /* /tmp is mounted from inside so that it is the container's to unmount at shutdown (a mount made with
         * host privileges is locked and would fail tmp.mount's stop job) — unless binds go below it, which only
         * the outer child can make; then the outer child mounts /tmp first (tmp_mount_outside()). */
        if (!tmp_mount_outside(p->settings) && !tmp_given(p->settings)) {
                r = mount_in_root(root_fd, "tmp", "tmpfs", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777", uid, false);
                if (r < 0)
                        return r;
        }
        r = mount_in_root(root_fd, "dev/shm", "shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_STRICTATIME, "mode=1777",
                          uid, false);
        if (r < 0)
                return r;
        return mount_in_root(root_fd, "dev/mqueue", "mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL,
                             uid, false);
}

/* After the monitor moved us into the container's cgroup and we made it the root of our cgroup namespace. */
int mount_cgroup(int root_fd) {
        return mount_in_root(root_fd, "sys/fs/cgroup", "cgroup2", "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, 0,
                             false);
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
