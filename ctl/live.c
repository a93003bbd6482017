/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A running container's store, replaced whole: the live update.
 *
 * The container's /nix/store is a slave of its propagation point (spawn/propagate.c), so a tree attached on the
 * point's root arrives on the root of the container's store and covers it whole. A live update builds the new
 * generation's whole closure as one fresh tree, a *layer* (a new tmpfs with one read-only bind of each path), and
 * swaps it in: attached with MOVE_MOUNT_BENEATH under the layer on top (plainly, at the first update), then every
 * layer above it is detached. A switch swaps twice (ctl/change.c): before the new system's switch-to-configuration
 * the layer holds the old system's paths too (the old system's units are stopped by it, with the old system's
 * programs), after it only the new closure. That second one, which only drops paths, is done in place: the
 * layer's paths the new closure lacks are unmounted and their mount points removed (drop_paths() says why that
 * reaches the container's locked copies), so each added path is bound once. The kernel tucks the new layer's copy in the container beneath the old one's copy
 * as well, and the detach propagates: the old layer goes, with all its paths, in the container too. So the paths
 * the new generation dropped are gone at the switch (`test -e` fails inside), the container's mount count stays
 * what one layer costs whatever the number of updates, and the swap is atomic: at every moment the container's
 * store is one whole generation's.
 *
 * Locked: a tree that propagates into a mount namespace of a less privileged user namespace arrives with its
 * flags locked (read-only, nosuid, nodev stay) and every mount of it but its top locked against unmounting: root
 * inside can neither unmount a path (EINVAL) nor remount anything read-write (EPERM). The top, the layer's tmpfs,
 * is the store's directory; root inside may detach it in its own namespace, and then finds below it the store it
 * started with, locked since the start: nothing it was not given, nothing writable
 * (checks/integration/93-ctl-live.sh proves all of it). Locking the top as well would take a dummy mount below
 * each layer (as ctl/locked-tree.h stacks two per bind), and every such dummy would stay in the container for good:
 * a swap beneath the top leaves the old layer's lower mount where it is.
 *
 * Where: the point, and so every layer, lives in a small mount namespace of its own (propagate.h:
 * PROPAGATE_NS_DIR/NAME), never in the host's: the host's mount table grows by one mount per container however
 * many live updates it gets (systemd on the host makes a .mount unit of every mount it sees). The container's
 * start does not make it (a start pays nothing for updates that may never come): the first live update does. A
 * child unshare()s from the host's namespace, makes all of it private, moves its copy of the host's point into a
 * small tmpfs, puts it back into the host point's peer group (MOVE_MOUNT_SET_GROUP: the container's store stays its
 * slave) and pivots into the tmpfs, so the namespace pins nothing of the host's but the view's tmpfs and the store;
 * the namespace is bound at PROPAGATE_NS_DIR/NAME (nskeep.h), and only then is the host's point unmounted. Later
 * updates setns() into it.
 *
 * A layer is built in that namespace: the store, cloned read-only, nosuid, nodev and idmapped for the container
 * (as at start; unmapped where spawn/idmap.c says the store refuses idmapping) at /s, and a fresh tmpfs (nosuid,
 * nodev, mode 0755, idmapped the same way) at /l; each path is bound from /s onto a mount point in /l by the same
 * code that builds a store view (spawn/store.c: store_mount_closure(), chrooted into the store's clone, so a path
 * that became a symlink since the closure was read resolves inside the read-only store, never to a host file).
 * The layer's tmpfs is made read-only, and only then moved onto the point.
 *
 * What the container has is what the top of the point lists: the current layer, or before the first update the
 * view's tmpfs (a mount point per path of the start's closure). An update whose closure is exactly that does
 * nothing (with keep: one that adds nothing).
 *
 * Killed at any step (SIGKILL; the test stop points below), nothing is left that the next update does not undo: a
 * killed first update leaves the namespace file without a bind (removed, made again), or the bind and the host's
 * point both (the namespace is used, the host's point unmounted); a killed build leaves /s and /l in the namespace
 * (unmounted by the next update before it builds); a swap killed between attaching and detaching leaves two
 * layers (the next update detaches the top before it builds, so there is never more than one below its own); a
 * killed drop leaves the layer writable in the namespace (the next update makes it read-only again first; the
 * container's copy stays read-only all along) and some paths not removed yet (what the next update finds). The
 * launcher's stop, or the next start's sweep after a killed launcher, removes the namespace's bind, and with it
 * everything in there. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/fsuid.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "fileio.h"
#include "idmap.h"
#include "live.h"
#include "locked-tree.h"
#include "log.h"
#include "nskeep.h"
#include "process.h"
#include "propagate.h"
#include "stoppoint.h"
#include "strutil.h"
#include "syscalls.h"

#define STORE "/nix/store"
/* In the point's namespace (its root is a tmpfs of ours): the store's clone and the layer being built */
#define NS_SRC "/s"
#define NS_LAYER "/l"

enum { LIVE_STEP_LAYER = 1 };

/* What the child found and did, in memory shared with the parent. */
typedef struct LiveResult {
        size_t added, dropped;
        bool stacked; /* a kernel without MOVE_MOUNT_BENEATH (before 6.5): attached on top, the old layers stay below */
} LiveResult;

/* --- the namespace ------------------------------------------------------------------------------------------- */

typedef struct NsArgs {
        const char *point; /* the host's point, PROPAGATE_DIR/NAME */
        int point_fd;      /* an O_PATH fd of it, opened in the host's namespace */
} NsArgs;

/* In the child that unshare()d from the host's namespace (nskeep.h): no allocation, no logging. */
static int ns_setup(void *userdata, int64_t *ret_index) {
        const NsArgs *a = userdata;
        int root;

        /* nothing of ours propagates to the host, nor the host's to us. (The root is 0755: a layer is built with the
         * file system UID of root inside, which must be able to walk it; only host root reaches the namespace.) */
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
            mount("nixos-nspawn-propagate", PROPAGATE_NS_DIR, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                  "mode=0755,size=64k") < 0 ||
            mkdir(PROPAGATE_NS_DIR PROPAGATE_NS_POINT, 0700) < 0)
                return -errno;
        /* our copy of the point (private now) into the new root, then back into the host point's peer group, of
         * which the container's store is a slave */
        if (sys_move_mount(AT_FDCWD, a->point, AT_FDCWD, PROPAGATE_NS_DIR PROPAGATE_NS_POINT, 0) < 0 ||
            sys_move_mount(a->point_fd, "", AT_FDCWD, PROPAGATE_NS_DIR PROPAGATE_NS_POINT,
                           MOVE_MOUNT_SET_GROUP | MOVE_MOUNT_F_EMPTY_PATH) < 0)
                return -errno;
        /* the tmpfs becomes the root, the host's tree is dropped: the namespace pins only the point */
        root = open(PROPAGATE_NS_DIR, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root < 0 || fchdir(root) < 0 || sys_pivot_root(".", ".") < 0 || umount2(".", MNT_DETACH) < 0 ||
            chdir("/") < 0)
                return -errno;
        return 0;
}

static bool is_mount_root(const char *path) {
        struct statx sx;

        return statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_TYPE, &sx) >= 0 &&
               (sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) && (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

/* An fd of the namespace that holds machine's point, made at its first live update (the order of the steps, and
 * what a SIGKILL between two of them leaves, is in the header). Logs. */
static int point_namespace(const char *machine, int *ret_fd) {
        _cleanup_free_ char *ns = strprintf(PROPAGATE_NS_DIR "/%s", machine),
                            *point = strprintf(PROPAGATE_DIR "/%s", machine);
        _cleanup_close_ int fd = -EBADF, point_fd = -EBADF;
        struct statfs sfs;
        int r;

        if (!ns || !point)
                return log_oom();
        r = mntns_dir_prepare(PROPAGATE_NS_DIR);
        if (r < 0)
                return r;
        fd = open(ns, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0 && errno != ENOENT)
                return log_error_errno(negative_errno(), "Failed to open '%s': %m", ns);
        if (fd >= 0 && (fstatfs(fd, &sfs) < 0 || sfs.f_type != NSFS_MAGIC)) {
                /* a killed first update's file, not bound yet */
                fd = safe_close(fd);
                mntns_unkeep(ns);
        }
        if (fd < 0) {
                NsArgs args = { .point = point };
                bool setup_failed;
                int64_t index;

                point_fd = open(point, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                if (point_fd < 0 || !is_mount_root(point))
                        return log_error_errno(point_fd < 0 && errno != ENOENT ? negative_errno() : -EOPNOTSUPP,
                                               "Container '%s' has no store propagation point '%s' (started by a "
                                               "launcher without live update?): %m", machine, point);
                args.point_fd = point_fd;
                r = mntns_keep(ns, ns_setup, &args, &setup_failed, &index);
                if (r < 0 && setup_failed)
                        return log_error_errno(r, "Failed to move the store propagation point of '%s' into a mount "
                                               "namespace of its own: %m", machine);
                if (r < 0)
                        return r;
                test_stop_point("live-namespace"); /* the namespace bound, the host's point still there */
                fd = open(ns, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
                if (fd < 0)
                        return log_error_errno(negative_errno(), "Failed to open '%s': %m", ns);
        }
        /* The namespace's copy is the point now: the host's goes (both there: a first update killed in between).
         * An unmount does not propagate to the copy: its parent is the namespace's root, no peer of the host's. */
        for (int i = 0; i < 16 && umount2(point, MNT_DETACH | UMOUNT_NOFOLLOW) >= 0; i++)
                ;
        if (rmdir(point) < 0 && errno != ENOENT)
                log_warning_errno(negative_errno(), "Failed to remove '%s', ignoring: %m", point);
        *ret_fd = TAKE_FD(fd);
        return 0;
}

/* --- the layer ----------------------------------------------------------------------------------------------- */

static int name_cmp(const void *a, const void *b) {
        return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* What the top of the point lists against the closure (sorted: Closure). With keep, *ret_union is the closure
 * and the listed paths it lacks that the store (store_fd) still has, sorted, each with its type there (a path
 * collected from the host's store since cannot be kept); otherwise it is c. */
static int compare_listing(const Closure *c, bool keep, int store_fd, LiveResult *res, Closure *ret_union) {
        DIR *d = opendir(PROPAGATE_NS_POINT);
        size_t found = 0, entries = 0, n_extra = 0, allocated = 0;
        char **extra = NULL;

        if (!d)
                return -errno;
        for (struct dirent *e; (e = readdir(d));) {
                const char *key = e->d_name;
                struct stat st;

                if (streq(key, ".") || streq(key, ".."))
                        continue;
                entries++;
                if (bsearch(&key, c->names, c->n, sizeof(char *), name_cmp)) {
                        found++;
                        continue;
                }
                if (!keep || fstatat(store_fd, key, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        continue;
                if (n_extra == allocated) {
                        char **grown = realloc(extra, (allocated = allocated * 2 + 64) * sizeof(char *));

                        if (!grown)
                                goto oom;
                        extra = grown;
                }
                extra[n_extra] = strdup(key);
                if (!extra[n_extra])
                        goto oom;
                n_extra++;
        }
        closedir(d);
        d = NULL;
        res->added = c->n - found;
        res->dropped = keep ? 0 : entries - found;
        *ret_union = *c;
        if (n_extra == 0)
                return 0;
        /* the union, sorted (two sorted lists merged), with the extra paths' types as the store has them now */
        qsort(extra, n_extra, sizeof(char *), name_cmp);
        ret_union->n = c->n + n_extra;
        ret_union->names = malloc(ret_union->n * sizeof(char *));
        ret_union->types = malloc(ret_union->n);
        if (!ret_union->names || !ret_union->types)
                return -ENOMEM; /* a child: what it allocated goes with it */
        for (size_t a = 0, b = 0, k = 0; k < ret_union->n; k++) {
                struct stat st;

                if (b >= n_extra || (a < c->n && strcmp(c->names[a], extra[b]) < 0)) {
                        ret_union->names[k] = c->names[a];
                        ret_union->types[k] = c->types[a++];
                        continue;
                }
                ret_union->names[k] = extra[b++];
                if (fstatat(store_fd, ret_union->names[k], &st, AT_SYMLINK_NOFOLLOW) < 0)
                        return -errno;
                ret_union->types[k] = S_ISLNK(st.st_mode) ? 'l' : S_ISDIR(st.st_mode) ? 'd' : 'f';
        }
        return 0;
oom:
        if (d)
                closedir(d);
        return -ENOMEM;
}

/* A fresh tmpfs for a layer, detached: nosuid, nodev, 0755. Its directory belongs to root inside (uid_base, the
 * container's root on the host; 0 when the store is not idmapped) and so does what is made in it (the child makes
 * it with that file system UID): so the store's root and its symlinks look as at start. Not idmapped: a mount point
 * made through an idmapped mount by host root, who is unmapped there, fails with EOVERFLOW. */
static int layer_make(uid_t uid_base) {
        char id[16];
        int fs, mnt = -EBADF;

        snprintf(id, sizeof id, "%u", (unsigned) uid_base);
        fs = sys_fsopen("tmpfs", FSOPEN_CLOEXEC);
        if (fs < 0)
                return -errno;
        if (sys_fsconfig(fs, FSCONFIG_SET_STRING, "source", "nixos-nspawn-layer", 0) >= 0 &&
            sys_fsconfig(fs, FSCONFIG_SET_STRING, "mode", "0755", 0) >= 0 &&
            sys_fsconfig(fs, FSCONFIG_SET_STRING, "uid", id, 0) >= 0 &&
            sys_fsconfig(fs, FSCONFIG_SET_STRING, "gid", id, 0) >= 0 &&
            sys_fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) >= 0)
                mnt = sys_fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
        if (mnt < 0)
                mnt = -errno;
        safe_close(fs);
        return mnt;
}

/* Whether the top of the point is a layer: a layer is always read-only (made so before it is attached), the
 * point's own tmpfs (the host's writable clone of the view's) never is. */
static bool top_is_layer(void) {
        struct statvfs sv;

        return statvfs(PROPAGATE_NS_POINT, &sv) >= 0 && (sv.f_flag & ST_RDONLY);
}

/* How many mounts are stacked at the point, its own included, from the namespace's mountinfo (proc_self: /proc/self
 * opened before setns(); the file shows the namespace of the task when it is opened, and its paths relative to its
 * root). */
static int mounts_at_point(int proc_self) {
        char line[4096], point[sizeof line];
        int fd, n = 0;
        FILE *f;

        fd = openat(proc_self, "mountinfo", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        f = fdopen(fd, "re");
        if (!f) {
                safe_close(fd);
                return -ENOMEM;
        }
        while (fgets(line, sizeof line, f))
                n += sscanf(line, "%*s %*s %*s %*s %4095s", point) == 1 && streq(point, PROPAGATE_NS_POINT);
        fclose(f);
        return n;
}

/* Removes from the layer on top of the point the paths closure lacks, in place: a switch's second swap would
 * otherwise bind the whole closure again, once more per path added. The layer's directory is made writable in this
 * namespace alone for it (mount flags do not propagate: the container's copy stays read-only, locked so since it
 * arrived). Each path's bind is unmounted here, and its mount point removed: the kernel then detaches the mounts on
 * it in every namespace, the container's locked copy too (which an unmount that propagates would leave: the kernel
 * unmounts a locked mount only with its parent). */
static int drop_paths(const Closure *c) {
        struct mount_attr rw = { .attr_clr = MOUNT_ATTR_RDONLY }, ro = { .attr_set = MOUNT_ATTR_RDONLY };
        char path[sizeof PROPAGATE_NS_POINT + NAME_MAX + 1];
        size_t n = 0, allocated = 0;
        struct dirent **gone = NULL;
        DIR *d;
        int r = 0;

        d = opendir(PROPAGATE_NS_POINT);
        if (!d)
                return -errno;
        /* first the list, then the removals: the directory is not changed under readdir() */
        for (struct dirent *e; (e = readdir(d));) {
                const char *key = e->d_name;

                if (streq(key, ".") || streq(key, "..") ||
                    bsearch(&key, c->names, c->n, sizeof(char *), name_cmp))
                        continue;
                if (n == allocated) {
                        struct dirent **grown = realloc(gone, (allocated = allocated * 2 + 64) * sizeof(*gone));

                        if (!grown) {
                                r = -ENOMEM;
                                goto finish;
                        }
                        gone = grown;
                }
                gone[n] = malloc(sizeof(struct dirent));
                if (!gone[n]) {
                        r = -ENOMEM;
                        goto finish;
                }
                memcpy(gone[n++], e, sizeof(struct dirent));
        }
        if (sys_mount_setattr(AT_FDCWD, PROPAGATE_NS_POINT, 0, &rw) < 0) {
                r = -errno;
                goto finish;
        }
        test_stop_point("live-drop"); /* the layer writable here, nothing removed yet */
        for (size_t i = 0; i < n && r >= 0; i++) {
                snprintf(path, sizeof path, PROPAGATE_NS_POINT "/%s", gone[i]->d_name);
                /* (a symlink path has no mount: EINVAL) */
                (void) umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW);
                if (unlinkat(dirfd(d), gone[i]->d_name, gone[i]->d_type == DT_DIR ? AT_REMOVEDIR : 0) < 0)
                        r = -errno;
        }
        if (sys_mount_setattr(AT_FDCWD, PROPAGATE_NS_POINT, 0, &ro) < 0 && r >= 0)
                r = -errno;
finish:
        closedir(d);
        return r; /* a child: what it allocated goes with it */
}

/* Unmounts whatever a killed update left at path in the namespace and makes the mount point. */
static int staging_clear(const char *path) {
        for (int i = 0; i < 16 && umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) >= 0; i++)
                ;
        return mkdir(path, 0700) < 0 && errno != EEXIST ? -errno : 0;
}

/* The child: builds the layer in the point's namespace and swaps it in. Exit status 0 (res says what it did), or a
 * failure reported with its errno and the closure index it failed at. */
static _noreturn_ void layer_in_child(int ns_fd, const Closure *c, bool keep, int userns_fd, uid_t uid_base,
                                       pid_t parent, LiveResult *res, int report_fd) {
        struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
        size_t failed = SIZE_MAX;
        int store, layer, src, dst, proc_self, stacked, r;
        struct stat st, top;
        Closure u;

        /* both made in the host's namespace: open_tree() clones only from the caller's; detached, they move along */
        store = locked_tree_clone(AT_FDCWD, STORE, AT_SYMLINK_NOFOLLOW, true, userns_fd);
        if (store < 0) {
                errno = -store;
                goto fail;
        }
        layer = layer_make(uid_base);
        if (layer < 0) {
                errno = -layer;
                goto fail;
        }
        proc_self = open("/proc/self", O_PATH | O_DIRECTORY | O_CLOEXEC);
        /* setns() puts us at the namespace's root */
        if (proc_self < 0 || setns(ns_fd, CLONE_NEWNS) < 0 || staging_clear(NS_SRC) < 0 ||
            staging_clear(NS_LAYER) < 0)
                goto fail;
        /* One layer at most on the point: a swap killed before it detached the old one left two, the old one on top
         * (what the container sees), and a new layer tucked below the top would leave the lower one there for good.
         * The top goes: the container sees the killed update's layer, whole, until ours replaces it. */
        stacked = mounts_at_point(proc_self);
        if (stacked < 1) {
                errno = stacked < 0 ? -stacked : ENOENT;
                goto fail;
        }
        for (; stacked > 2; stacked--)
                if (umount2(PROPAGATE_NS_POINT, MNT_DETACH) < 0)
                        goto fail;
        /* a layer is read-only here too (a drop killed while it was writable left it so) */
        if (stacked == 2 && sys_mount_setattr(AT_FDCWD, PROPAGATE_NS_POINT, 0, &ro) < 0)
                goto fail;
        r = compare_listing(c, keep, store, res, &u);
        if (r < 0) {
                errno = -r;
                goto fail;
        }
        if (res->added == 0 && res->dropped == 0)
                _exit(0);
        /* Only dropping, from a layer of ours (never from the view's tmpfs: the closure's other containers share
         * it): in place. */
        if (res->added == 0 && stacked == 2) {
                r = drop_paths(c);
                if (r < 0) {
                        errno = -r;
                        goto fail;
                }
                _exit(0);
        }
        c = &u;
        if (sys_move_mount(store, "", AT_FDCWD, NS_SRC, MOVE_MOUNT_F_EMPTY_PATH) < 0 ||
            sys_move_mount(layer, "", AT_FDCWD, NS_LAYER, MOVE_MOUNT_F_EMPTY_PATH) < 0)
                goto fail;
        src = open(NS_SRC, O_PATH | O_DIRECTORY | O_CLOEXEC);
        dst = open(NS_LAYER, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (src < 0 || dst < 0)
                goto fail;
        /* as root inside (the layer's owner): mount points and symlinks are its, as at start; the binds are as the
         * store's clone shows them (setfsuid() drops only the file system capabilities, none of which is needed) */
        if (uid_base != 0 && (setfsgid(uid_base), setfsuid(uid_base), (uid_t) setfsuid((uid_t) -1) != uid_base)) {
                errno = EPERM;
                goto fail;
        }
        r = store_mount_closure(c, src, dst, &failed);
        if (uid_base != 0) {
                (void) setfsuid(0);
                (void) setfsgid(0);
                /* a change of the file system UID clears the parent-death signal (process.h): set it again, and
                 * end now if the parent died meanwhile */
                if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != parent)
                        _exit(1);
        }
        if (r < 0) {
                errno = -r;
                goto fail;
        }
        failed = SIZE_MAX;
        test_stop_point("live-layer"); /* the layer built, not attached */
        /* the binds do not need their source; the layer's own directory read-only before anyone sees it */
        if (umount2(NS_SRC, MNT_DETACH) < 0 || sys_mount_setattr(AT_FDCWD, NS_LAYER, 0, &ro) < 0 ||
            stat(NS_LAYER, &st) < 0)
                goto fail;
        if (stacked == 1) {
                if (sys_move_mount(AT_FDCWD, NS_LAYER, AT_FDCWD, PROPAGATE_NS_POINT, 0) < 0)
                        goto fail;
        } else if (sys_move_mount(AT_FDCWD, NS_LAYER, AT_FDCWD, PROPAGATE_NS_POINT, MOVE_MOUNT_BENEATH) < 0) {
                /* before 6.5: on top; the old layers stay below it, unreachable, until the restart */
                if (errno != EINVAL || sys_move_mount(AT_FDCWD, NS_LAYER, AT_FDCWD, PROPAGATE_NS_POINT, 0) < 0)
                        goto fail;
                res->stacked = true;
        }
        test_stop_point("live-beneath"); /* the new layer below the old one: two */
        /* Every layer above ours goes (a killed swap may have left two); in the container too, by propagation. */
        for (int i = 0;; i++) {
                if (stat(PROPAGATE_NS_POINT, &top) < 0)
                        goto fail;
                if (top.st_dev == st.st_dev)
                        break;
                /* never the point itself: ours must be below whatever is detached here (one layer at most) */
                if (i >= stacked - 1 || !top_is_layer()) {
                        errno = EIO;
                        goto fail;
                }
                if (umount2(PROPAGATE_NS_POINT, MNT_DETACH) < 0)
                        goto fail;
        }
        _exit(0);
fail:
        process_fail(report_fd, LIVE_STEP_LAYER, -errno, failed < c->n ? (int64_t) failed : -1);
}

/* The user namespace to idmap for, as the launcher decided at start: none for -U no, none where the store cannot
 * be idmapped (spawn/idmap.c says why that is safe for the store); and root inside on the host (0 without). */
static int store_userns(const Leader *l, bool say, int *ret_fd, uid_t *ret_uid_base) {
        _cleanup_close_ int userns_fd = -EBADF;
        struct stat ours, theirs;
        int r;

        r = leader_userns_fd(l, &userns_fd);
        if (r < 0)
                return r;
        /* -U no: the container shares our user namespace, and the launcher idmapped nothing either */
        if (fstat(userns_fd, &theirs) >= 0 && stat("/proc/self/ns/user", &ours) >= 0 && ours.st_ino == theirs.st_ino &&
            ours.st_dev == theirs.st_dev)
                userns_fd = safe_close(userns_fd);
        if (userns_fd >= 0 && idmap_supported(STORE, false, userns_fd) == 0) {
                /* As the launcher did at start: the paths are as read-only, nosuid, nodev and locked, and look owned
                 * by nobody like the others. */
                char fs[32];

                idmap_fs_name(STORE, fs, sizeof fs);
                if (say)
                        log_notice("Store '" STORE "' is on a file system that cannot be idmapped (%s): adding the paths "
                                   "without idmapping, as the container's others.", fs);
                userns_fd = safe_close(userns_fd);
        }
        *ret_uid_base = 0;
        if (userns_fd >= 0) {
                r = leader_uid_base(l, ret_uid_base);
                if (r < 0)
                        return r;
        }
        *ret_fd = TAKE_FD(userns_fd);
        return 0;
}

int live_update_store(const char *machine, const Leader *l, const Closure *c, bool keep, size_t *ret_added,
                      size_t *ret_dropped) {
        _cleanup_close_ int userns_fd = -EBADF, ns_fd = -EBADF;
        LiveResult *res;
        ProcessResult pr;
        int report = -EBADF, keep_fds[2], r;
        pid_t parent = getpid(), pid;
        uid_t uid_base;

        r = point_namespace(machine, &ns_fd);
        if (r < 0)
                return r;
        r = store_userns(l, keep, &userns_fd, &uid_base); /* (said once a switch: at the one that adds) */
        if (r < 0)
                return r;
        res = mmap(NULL, sizeof *res, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (res == MAP_FAILED)
                return log_oom();
        *res = (LiveResult) {};
        {
                ForkSpec spec = FORK_SPEC_INIT;

                keep_fds[0] = ns_fd;
                keep_fds[1] = userns_fd;
                spec.keep_fds = keep_fds;
                spec.n_keep_fds = userns_fd >= 0 ? 2 : 1;
                pid = process_fork(&spec, &report);
        }
        if (pid < 0) {
                r = log_error_errno(pid, "Failed to fork: %m");
                goto finish;
        }
        if (pid == 0)
                layer_in_child(ns_fd, c, keep, userns_fd, uid_base, parent, res, report);
        r = process_wait(pid, &report, 0, &pr);
        if (r < 0)
                r = log_error_errno(r, "Failed to wait for the mounting process: %m");
        else if (pr.failed && pr.index >= 0 && (size_t) pr.index < c->n)
                r = log_error_errno(pr.error, "Failed to mount store path '" STORE "/%s' for container '%s': %m",
                                    c->names[pr.index], machine);
        else if (pr.failed)
                r = log_error_errno(pr.error, "Failed to replace the store of container '%s': %m", machine);
        else if (pr.status != 0)
                r = log_error_errno(-EIO, "The process replacing the store of container '%s' ended with status %d.",
                                    machine, pr.status);
        if (r >= 0 && res->stacked)
                log_notice("The kernel cannot attach a mount beneath another (before 6.5): the store of '%s' before "
                           "this update stays mounted, unreachable, below the new one until the container restarts.",
                           machine);
        if (r >= 0) {
                *ret_added = res->added;
                *ret_dropped = res->dropped;
        }
finish:
        munmap(res, sizeof *res);
        return r;
}
