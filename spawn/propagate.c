/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Why a propagation point, and why the mounts that arrive through it are as confined as the first ones:
 *
 * PROPAGATE_DIR/NAME is a clone of the store view's tmpfs alone (view.c), without the paths mounted on it: the only
 * member of a new peer group. The container's /nix/store is a clone of the whole view, made a slave of that group
 * in the outer child's namespace (mounts.c: MOVE_MOUNT_SET_GROUP, which takes two mounts of one file system: hence
 * the view's tmpfs, not a file system of our own); PID 1's mount namespace copies it as a slave again. A mount the
 * host attaches below PROPAGATE_DIR/NAME is therefore copied into the container's store. The kernel copies a mount
 * that propagates into a mount namespace owned by another (here: less privileged) user namespace with its flags
 * locked: read-only, nosuid and nodev cannot be cleared and the mount cannot be unmounted to reveal what is below it
 * (MNT_LOCK_*, MNT_LOCKED), the same as the mounts the container got at start. Nothing goes the other way: the
 * container's store is a slave, so its mounts never reach the host.
 *
 * The directory and its parent are root's, 0700: no host user but root can reach it. Nothing is ever written to the
 * point's tmpfs (it is the view's, shared by every container of the closure): a live update attaches a whole tree,
 * a layer, on its root (ctl/live.c), after moving the point into a small mount namespace of its own at the first
 * update (PROPAGATE_NS_DIR/NAME, propagate.h), so that no layer enters the host's mount table.
 *
 * The propagation points of added binds (nixos-nspawnctl bind) are ramfs: one empty mount point each, no size
 * limit (only host root could use it), cheaper to make and drop than a tmpfs. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "log.h"
#include "nskeep.h"
#include "propagate.h"
#include "strutil.h"
#include "syscalls.h"

static void unmount_all(const char *path) {
        /* MNT_DETACH takes what the host mounted below too; stacked mounts (a killed launcher's, ours) one by one */
        for (int i = 0; i < 16 && umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) >= 0; i++)
                ;
}

/* A fresh ramfs at path (made; a leftover there is removed first), or the detached tree tree_fd when >= 0, the only
 * member of a new peer group: only what is made a slave of it receives what is mounted below it. */
static int propagate_point_make(const char *path, const char *source, int tree_fd) {
        int r;

        unmount_all(path);
        (void) rmdir(path);
        if (mkdir(path, 0700) < 0)
                return log_error_errno(negative_errno(), "Failed to create '%s': %m", path);
        if (tree_fd >= 0 ? sys_move_mount(tree_fd, "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH) < 0
                         : mount(source, path, "ramfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0) {
                r = log_error_errno(negative_errno(), "Failed to mount the propagation point '%s': %m", path);
                unmount_all(path);
                (void) rmdir(path);
                return r;
        }
        /* Leave whatever peer group the parent's propagation put the new mount in, then start our own: only the
         * container is to receive what is mounted here. */
        if (mount(NULL, path, NULL, MS_PRIVATE, NULL) < 0 || mount(NULL, path, NULL, MS_SHARED, NULL) < 0) {
                r = log_error_errno(negative_errno(), "Failed to make '%s' a propagation point: %m", path);
                unmount_all(path);
                (void) rmdir(path);
                return r;
        }
        return 0;
}

/* Every bind's propagation point of machine (a killed launcher's, or ours at stop), and their directory. */
static void binds_remove(const char *machine) {
        _cleanup_free_ char *dir = strprintf(PROPAGATE_BINDS_DIR "/%s", machine);
        DIR *d;

        if (!dir)
                return;
        d = opendir(dir);
        if (!d)
                return;
        for (struct dirent *e; (e = readdir(d));) {
                _cleanup_free_ char *p = NULL;

                if (e->d_name[0] == '.')
                        continue;
                p = strprintf("%s/%s", dir, e->d_name);
                if (!p)
                        break;
                unmount_all(p);
                if (rmdir(p) < 0 && errno != ENOENT)
                        log_warning_errno(negative_errno(), "Failed to remove '%s', ignoring: %m", p);
        }
        closedir(d);
        (void) rmdir(dir);
}

int propagate_create(const char *machine, int view_root_fd, char **ret_path) {
        _cleanup_free_ char *path = NULL;
        int r;

        path = strprintf(PROPAGATE_DIR "/%s", machine);
        if (!path)
                return log_oom();
        r = mkdir_p(PROPAGATE_DIR, 0700);
        if (r < 0)
                return log_error_errno(r, "Failed to create '%s': %m", PROPAGATE_DIR);
        /* Under our machine lock, anything at our name is what a killed launcher of this machine left (its
         * namespace of a live update, too, was removed by sweep_machine() before). */
        binds_remove(machine);
        r = propagate_point_make(path, NULL, view_root_fd);
        if (r < 0)
                return r;
        *ret_path = TAKE_PTR(path);
        return 0;
}

int propagate_bind_create(const char *machine, const char *id, char **ret_path) {
        _cleanup_free_ char *dir = strprintf(PROPAGATE_BINDS_DIR "/%s", machine);
        _cleanup_free_ char *path = strprintf(PROPAGATE_BINDS_DIR "/%s/%s", machine, id);
        int r;

        if (!dir || !path)
                return log_oom();
        r = mkdir_p(dir, 0700);
        if (r < 0)
                return log_error_errno(r, "Failed to create '%s': %m", dir);
        r = propagate_point_make(path, "nixos-nspawn-bind", -EBADF);
        if (r < 0)
                return r;
        *ret_path = TAKE_PTR(path);
        return 0;
}

void propagate_bind_remove(const char *path) {
        unmount_all(path);
        if (rmdir(path) < 0 && errno != ENOENT)
                log_warning_errno(negative_errno(), "Failed to remove '%s', ignoring: %m", path);
}

void propagate_remove(char **path) {
        _cleanup_free_ char *ns = NULL;

        if (!*path)
                return;
        binds_remove(strrchr(*path, '/') + 1);
        /* the namespace's bind: its layers, and their copies in the container, go with the namespace */
        ns = strprintf(PROPAGATE_NS_DIR "/%s", strrchr(*path, '/') + 1);
        if (ns)
                mntns_unkeep(ns);
        unmount_all(*path);
        if (rmdir(*path) < 0 && errno != ENOENT)
                log_warning_errno(negative_errno(), "Failed to remove '%s', ignoring: %m", *path);
        free(*path);
        *path = NULL;
}
