/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Store views: why built once, where they live, how long.
 *
 * Mounting a closure path by path costs 15-24 µs per path; cloning a tree of N mounts whole (open_tree with
 * OPEN_TREE_CLONE | AT_RECURSIVE) costs 1.5-2.4 µs per mount, and idmapping or attaching the clone costs one call
 * for all of them. So the per-path work is done once per closure (the first start builds the view) and every start
 * clones it.
 *
 * A view is a tmpfs with one read-only, nosuid, nodev bind per path (unmapped: each start idmaps its own clone for
 * its own range). It lives in a mount namespace of its own whose root it is (the builder pivots into it and drops
 * the host's tree, so the namespace pins nothing of the host but the store), kept by a bind of that namespace's
 * nsfs file at VIEWS_DIR/KEY: the host's mount table grows by one per closure, not by N (systemd on the host makes a
 * .mount unit of every mount it sees). A start clones it from a short-lived child that joins that namespace
 * (open_tree() clones only from the caller's namespace) and passes the clone back over a socket.
 *
 * KEY is a hash of the store directory and the sorted path names. KEY.stamp holds Closure.identity, a hash of the
 * paths' devices and inodes as closure_finish() stat()ed them anyway: a path garbage-collected and made again (a
 * new inode) makes the view stale, and the start rebuilds it (containers already running keep their clones).
 *
 * Life: each container holds KEY.users with flock(LOCK_SH) for its life. KEY.lock (exclusive) is held while a view is
 * checked, built, cloned or removed, so two first starts of one closure build one view, and a view is never removed
 * between a start's check and its clone. At a container's stop, and at every start's sweep (a killed launcher's),
 * a view whose KEY.users nobody holds is removed.
 *
 * Security: the clone's mounts are those of the view, read-only, nosuid, nodev; the container's namespace is copied
 * into its user namespace after they are attached (mounts.c), which locks them like the mounts made one by one
 * before: root inside cannot unmount, remount read-write or shadow a path. The view's own namespace belongs to the
 * host's user namespace and is reachable only through VIEWS_DIR (root's, 0700). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fileio.h"
#include "lockfile.h"
#include "log.h"
#include "nskeep.h"
#include "siphash.h"
#include "strutil.h"
#include "syscalls.h"
#include "testhook.h"
#include "view.h"

/* A tmpfs over VIEWS_DIR, only ever in a builder's own namespace (a directory made on the host would stay) */
#define VIEW_WORK VIEWS_DIR

static void view_key(const Closure *c, const char *store_dir, char key[static 33]) {
        static const uint8_t k1[16] = "nixos-nspawn-vw1", k2[16] = "nixos-nspawn-vw2";
        uint64_t h[2];

        /* two keyed hashes chained over the names: 128 bits */
        h[0] = siphash24(store_dir, strlen(store_dir) + 1, k1);
        h[1] = siphash24(store_dir, strlen(store_dir) + 1, k2);
        for (size_t i = 0; i < c->n; i++) {
                size_t len = strlen(c->names[i]) + 1;
                uint64_t a = siphash24(c->names[i], len, k1), b = siphash24(c->names[i], len, k2);
                uint64_t la[2] = { h[0], a }, lb[2] = { h[1], b };

                h[0] = siphash24(la, sizeof la, k1);
                h[1] = siphash24(lb, sizeof lb, k2);
        }
        snprintf(key, 33, "%016llx%016llx", (unsigned long long) h[0], (unsigned long long) h[1]);
}

static char *view_file(const char *key, const char *suffix) {
        return strprintf(VIEWS_DIR "/%s%s", key, suffix);
}

static bool view_usable(const char *key, uint64_t identity) {
        _cleanup_free_ char *ns = view_file(key, ""), *stamp = view_file(key, ".stamp"), *text = NULL;
        char want[17];
        struct statfs sfs;

        if (!ns || !stamp || statfs(ns, &sfs) < 0 || sfs.f_type != NSFS_MAGIC)
                return false;
        snprintf(want, sizeof want, "%016llx", (unsigned long long) identity);
        return read_full_file(stamp, &text, NULL) >= 0 && streq(text, want);
}

/* Under KEY.lock: the view's namespace bind and its files. */
static void view_remove_locked(const char *key) {
        _cleanup_free_ char *ns = view_file(key, ""), *stamp = view_file(key, ".stamp");

        if (!ns || !stamp)
                return;
        (void) unlink(stamp);
        mntns_unkeep(ns);
}

typedef struct BuildArgs {
        const Closure *closure;
        const char *store_dir;
} BuildArgs;

/* The builder, in a new mount namespace (nskeep.h) whose root becomes the view. No allocation, no logging. */
static int build_in_child(void *userdata, int64_t *ret_index) {
        const BuildArgs *a = userdata;
        struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV };
        size_t failed = 0;
        int src, root, r;

        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
            mount("nixos-nspawn-view-work", VIEW_WORK, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0700") < 0 ||
            mkdir(VIEW_WORK "/src", 0700) < 0 || mkdir(VIEW_WORK "/root", 0755) < 0)
                return -errno;
        /* the store, read-only, nosuid, nodev: each bind from it keeps those flags */
        src = sys_open_tree(AT_FDCWD, a->store_dir, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
        if (src < 0 || sys_mount_setattr(src, "", AT_EMPTY_PATH, &ro) < 0 ||
            sys_move_mount(src, "", AT_FDCWD, VIEW_WORK "/src", MOVE_MOUNT_F_EMPTY_PATH) < 0)
                return -errno;
        if (mount("nixos-nspawn-view", VIEW_WORK "/root", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0)
                return -errno;
        src = open(VIEW_WORK "/src", O_PATH | O_DIRECTORY | O_CLOEXEC);
        root = open(VIEW_WORK "/root", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (src < 0 || root < 0)
                return -errno;
        r = store_mount_closure(a->closure, src, root, &failed);
        if (r < 0) {
                *ret_index = (int64_t) failed;
                return r;
        }
        /* The view becomes the namespace's root; the host's tree on top of it is detached: the namespace then pins
         * the store's file system and nothing else of the host's. */
        if (fchdir(root) < 0 || sys_pivot_root(".", ".") < 0 || umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
                return -errno;
        return 0;
}

/* The builder, started: a stale view removed first (its users keep their clones). */
static int view_build_start(const Closure *c, const char *store_dir, View *v) {
        _cleanup_free_ char *ns = view_file(v->key, "");
        BuildArgs args = { .closure = c, .store_dir = store_dir }; /* (the child has its copy) */

        if (!ns)
                return log_oom();
        view_remove_locked(v->key);
        return mntns_keep_start(ns, build_in_child, &args, &v->builder);
}

static int view_build_finish(const Closure *c, const char *store_dir, View *v) {
        _cleanup_free_ char *ns = view_file(v->key, "");
        BuildArgs args = { .closure = c, .store_dir = store_dir };
        bool setup_failed;
        int64_t index;
        int r;

        if (!ns) {
                mntns_keep_abort(NULL, &v->builder); /* (view_remove_locked() removes the file) */
                view_remove_locked(v->key);
                return log_oom();
        }
        r = mntns_keep_finish(ns, build_in_child, &args, &v->builder, &setup_failed, &index);
        if (r < 0 && setup_failed) {
                if (index >= 0 && (size_t) index < c->n)
                        r = log_error_errno(r, "Failed to mount store path '%s/%s' in the store view: %m", store_dir,
                                            c->names[index]);
                else
                        r = log_error_errno(r, "Failed to build the store view: %m");
        }
        if (r < 0)
                view_remove_locked(v->key);
        return r;
}

/* Two detached clones of the view from inside its namespace: the whole tree, and its tmpfs alone. */
static int view_clone(const char *key, int *ret_tree, int *ret_root) {
        _cleanup_free_ char *ns = view_file(key, "");
        int sk[2], fds[2] = { -EBADF, -EBADF }, err = 0, r;
        char cbuf[CMSG_SPACE(sizeof fds)] = {};
        struct iovec iov = { .iov_base = &err, .iov_len = sizeof err };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
        struct cmsghdr *cm;
        pid_t pid;

        if (!ns)
                return log_oom();
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sk) < 0)
                return log_error_errno(negative_errno(), "Failed to create a socket pair: %m");
        /* vfork(): this child only joins the namespace, clones and sends, so it borrows our memory instead of
         * copying our page tables (and tearing the copy down again), while we wait; it shares our stack frame, so
         * it writes only err, fds and the message, which we set again before we read them. */
        pid = vfork();
        if (pid < 0) {
                r = log_error_errno(negative_errno(), "Failed to fork: %m");
                safe_close(sk[0]);
                safe_close(sk[1]);
                return r;
        }
        if (pid == 0) {
                int nsfd = open(ns, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

                safe_close(sk[0]);
                if (nsfd < 0 || setns(nsfd, CLONE_NEWNS) < 0)
                        err = -errno;
                else {
                        /* setns() put us at the namespace's root: the view */
                        fds[0] = sys_open_tree(AT_FDCWD, "/", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
                        fds[1] = sys_open_tree(AT_FDCWD, "/", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
                        if (fds[0] < 0 || fds[1] < 0)
                                err = -errno;
                }
                if (err == 0) {
                        mh.msg_control = cbuf;
                        mh.msg_controllen = sizeof cbuf;
                        cm = CMSG_FIRSTHDR(&mh);
                        cm->cmsg_level = SOL_SOCKET;
                        cm->cmsg_type = SCM_RIGHTS;
                        cm->cmsg_len = CMSG_LEN(sizeof fds);
                        memcpy(CMSG_DATA(cm), fds, sizeof fds);
                }
                _exit(sendmsg(sk[1], &mh, MSG_NOSIGNAL) < 0);
        }
        safe_close(sk[1]);
        mh.msg_control = cbuf;
        mh.msg_controllen = sizeof cbuf;
        err = -EIO;
        if (recvmsg(sk[0], &mh, MSG_CMSG_CLOEXEC) < 0)
                err = negative_errno();
        safe_close(sk[0]);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                ;
        cm = CMSG_FIRSTHDR(&mh);
        if (err == 0 && (!cm || cm->cmsg_type != SCM_RIGHTS || cm->cmsg_len != CMSG_LEN(sizeof fds)))
                err = -EIO;
        if (err < 0) {
                if (cm && cm->cmsg_type == SCM_RIGHTS) {
                        size_t n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);

                        memcpy(fds, CMSG_DATA(cm), MIN(n, (size_t) 2) * sizeof(int));
                        safe_close(fds[0]);
                        safe_close(fds[1]);
                }
                return log_error_errno(err, "Failed to clone the store view '%s': %m", ns);
        }
        memcpy(fds, CMSG_DATA(cm), sizeof fds);
        *ret_tree = fds[0];
        *ret_root = fds[1];
        return 0;
}

int view_acquire_start(const Closure *c, const char *store_dir, View *ret) {
        _cleanup_free_ char *lock = NULL, *users = NULL;
        View v = VIEW_NULL;
        int r;

        view_key(c, store_dir, v.key);
        lock = view_file(v.key, ".lock");
        users = view_file(v.key, ".users");
        if (!lock || !users)
                return log_oom();
        r = mntns_dir_prepare(VIEWS_DIR);
        if (r < 0)
                return r;
        /* held only while building or cloning: a few milliseconds, or one build */
        r = lock_file_wait(lock, &v.lock_fd);
        if (r < 0)
                return log_error_errno(r, "Failed to lock '%s': %m", lock);
        /* a user from here on: a stop or sweep that takes the lock after us sees it */
        v.users_fd = open(users, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (v.users_fd < 0 || flock(v.users_fd, LOCK_SH) < 0)
                r = log_error_errno(negative_errno(), "Failed to open '%s': %m", users);
        else if (!view_usable(v.key, c->identity)) {
                r = view_build_start(c, store_dir, &v);
                v.built = r >= 0;
        }
        if (r < 0) {
                view_release(&v);
                return r;
        }
        *ret = v;
        return 0;
}

int view_acquire_finish(const Closure *c, const char *store_dir, View *v) {
        _cleanup_free_ char *lock = view_file(v->key, ".lock"), *stamp = view_file(v->key, ".stamp");
        char text[17];
        int r = 0;

        if (!lock || !stamp)
                r = log_oom();
        if (r >= 0 && v->builder.pid > 0) {
                r = view_build_finish(c, store_dir, v);
                if (r >= 0) {
                        snprintf(text, sizeof text, "%016llx", (unsigned long long) c->identity);
                        /* In place (view_build_start() removed the old one), under KEY.lock like every reading of
                         * it: a stamp a killed launcher left half-written only fails view_usable(), and the next
                         * start rebuilds. No temporary file, fsync() or rename(): what it vouches for is a mount
                         * namespace, gone at a reboot anyway (the fsync alone was 2% of a 1-path start's CPU where
                         * /run is on a disk). */
                        r = write_file_at(AT_FDCWD, stamp, text, strlen(text), 0600, (uid_t) -1);
                        if (r < 0) {
                                log_error_errno(r, "Failed to write '%s': %m", stamp);
                                view_remove_locked(v->key);
                        }
                }
        }
        if (r >= 0) {
                test_stop_at(6);
                r = view_clone(v->key, &v->tree_fd, &v->root_fd);
        }
        if (lock)
                v->lock_fd = unlock_file(lock, v->lock_fd);
        return r; /* (on failure the caller's view_release() drops KEY.users) */
}

/* Removes the view KEY when nobody holds KEY.users. wait: for KEY.lock (at a stop); the sweep does not wait for a
 * start that builds the view, which is a user. */
static void view_remove_unused(const char *key, bool wait) {
        _cleanup_free_ char *lock = view_file(key, ".lock"), *users = view_file(key, ".users");
        _cleanup_close_ int users_fd = -EBADF;
        int lock_fd = -EBADF;

        if (!lock || !users || (wait ? lock_file_wait(lock, &lock_fd) : lock_file(lock, &lock_fd)) < 0)
                return;
        users_fd = open(users, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
        if (users_fd >= 0 && flock(users_fd, LOCK_EX | LOCK_NB) >= 0) {
                view_remove_locked(key);
                (void) unlink(users);
        }
        (void) unlock_file(lock, lock_fd);
}

void view_release(View *v) {
        /* a start that failed between view_acquire_start() and _finish(): its builder ends, its half-made view goes */
        if (v->builder.pid > 0) {
                mntns_keep_abort(NULL, &v->builder); /* (view_remove_locked() removes the file) */
                view_remove_locked(v->key);
        }
        if (v->lock_fd >= 0) {
                _cleanup_free_ char *lock = view_file(v->key, ".lock");

                v->lock_fd = unlock_file(lock, v->lock_fd);
        }
        v->tree_fd = safe_close(v->tree_fd);
        v->root_fd = safe_close(v->root_fd);
        if (v->users_fd < 0)
                return;
        v->users_fd = safe_close(v->users_fd);
        view_remove_unused(v->key, true);
}

/* Whether a container holds the view's KEY.users now: then the sweep leaves it at once, without making and
 * removing a KEY.lock (a file created on /run at every start for every view in use). One that is released right
 * after is removed by its last user's view_release(), which waits for the lock. */
static bool view_in_use(int dir, const char *users) {
        _cleanup_close_ int fd = openat(dir, users, O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);

        if (fd < 0)
                return false; /* view_remove_unused() decides */
        if (flock(fd, LOCK_EX | LOCK_NB) < 0)
                return errno == EWOULDBLOCK;
        (void) flock(fd, LOCK_UN);
        return false;
}

void view_sweep(void) {
        DIR *d = opendir(VIEWS_DIR);
        struct dirent *de;

        if (!d)
                return;
        while ((de = readdir(d))) {
                char key[33];
                const char *dot = strchr(de->d_name, '.');

                if (!dot || dot - de->d_name != 32)
                        continue;
                if (streq(dot, ".lock")) {
                        /* a killed launcher's, before it had a .users: removed when nobody holds it. Asked once
                         * first: a start holds its own from view_acquire_start() on, through its sweep, and
                         * lock_file() asks a held lock again for half a second. */
                        _cleanup_free_ char *lock = strprintf(VIEWS_DIR "/%s", de->d_name);
                        int fd = -EBADF;

                        if (lock && !lock_is_held_now(lock) && lock_file(lock, &fd) >= 0)
                                (void) unlock_file(lock, fd);
                        continue;
                }
                if (!streq(dot, ".users") || view_in_use(dirfd(d), de->d_name))
                        continue;
                memcpy(key, de->d_name, 32);
                key[32] = 0;
                view_remove_unused(key, false);
        }
        closedir(d);
}
