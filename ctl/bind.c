/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nixos-nspawnctl bind NAME SRC DST [--read-only] and unbind NAME DST: a bind added to a running container.
 *
 * machined refuses this for every container with a user namespace; we have what it lacks, propagation points whose
 * arrivals are locked (locked-tree.h). The store's point reaches only /nix/store, so each bind gets one of its own
 * (spawn/propagate.h: PROPAGATE_BINDS_DIR/NAME/ID, a fresh peer group, host root's alone), and the container gets
 * a clone of it at DST made a slave of it. Then the bind, as a locked tree, is attached at the point on the host
 * and propagates onto the container's clone: root inside reaches only its upper mount, which it can neither
 * unmount nor remount (read-write, suid, dev). unbind unmounts the point on the host, which takes the tree out of
 * the container too (the kernel propagates an unmount of a mount that covers another whole), then the empty clone.
 * At stop the container's mounts end with its namespace; the launcher removes the points (spawn/propagate.c).
 *
 * Idmapping is the launcher's --bind's: a writable bind is mapped from the foreign range (what root inside writes
 * belongs to FOREIGN_UID_BASE + its UID on the host, an ID no host user has), a read-only one 1:1; where the
 * source's file system refuses idmapping, the launcher's own rule decides (spawn/idmap.c: read-only falls back,
 * writable is refused). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bind.h"
#include "conf.h"
#include "container.h"
#include "fileio.h"
#include "foreign.h"
#include "idmap.h"
#include "locked-tree.h"
#include "log.h"
#include "mount-util.h"
#include "process.h"
#include "propagate.h"
#include "settings.h"
#include "siphash.h"
#include "strutil.h"
#include "syscalls.h"
#include "userns.h"

#ifndef RAMFS_MAGIC
#define RAMFS_MAGIC 0x858458f6
#endif

#define STAGING RUN_DIR "/bind-staging"
/* unbind's child: no clone of a point at the destination */
#define NOTHING_THERE 3

enum {
        BIND_STEP_HOLDER = 1, /* the clone of the point, for the container */
        BIND_STEP_TREE,       /* the locked tree of the source */
        BIND_STEP_TARGET,     /* DST in the container */
        BIND_STEP_ATTACH,     /* the clone at DST, a slave */
        BIND_STEP_PROPAGATE,  /* the tree at the point */
        UNBIND_STEP_HOLDER,
};

/* A container path a bind may go to. Refused: relative, '.'/'..' or empty components (the path must mean one thing
 * to everyone who reads it), '/', the store (its contents are exactly the closure), and the kernel's and the
 * launcher's own file systems, /proc /sys /dev /run/host (a bind there could hide what they confine). */
int bind_destination_check(const char *dst) {
        static const char *const refused[] = { "/nix/store", "/proc", "/sys", "/dev", "/run/host" };
        const char *e = dst; /* (log.c escapes what it prints) */
        const char *p;

        if (dst[0] != '/' || streq(dst, "/") || strlen(dst) >= PATH_MAX)
                return log_invalid("Invalid bind destination '%s': an absolute path in the container, not '/'.", e);
        for (p = dst; *p; p++) {
                const char *c = p + 1;
                size_t n;

                if (*p != '/')
                        continue;
                n = strcspn(c, "/");
                if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
                        return log_invalid("Invalid bind destination '%s': no empty, '.' or '..' components.", e);
        }
        for (size_t i = 0; i < ELEMENTSOF(refused); i++) {
                const char *rest = startswith(dst, refused[i]);

                if (rest && (*rest == 0 || *rest == '/'))
                        return log_invalid("Invalid bind destination '%s': nothing is bound below %s (the %s).", e,
                                           refused[i], i == 0 ? "container's closure" : "kernel's and launcher's own");
        }
        return 0;
}

/* The point's name for a container path: a keyed hash (a path can be longer than a file name). */
static void bind_id(const char *machine, const char *dst, char ret[17]) {
        uint8_t key[16] = "nspawn-bind-v1";

        snprintf(ret, 17, "%016llx", (unsigned long long) (siphash24(dst, strlen(dst), key) ^
                                                              siphash24(machine, strlen(machine), key)));
}

typedef struct BindJob {
        const char *source, *destination, *point;
        bool read_only, is_file;
        int idmap_fd;    /* -EBADF: not idmapped */
        int container_ns;
        uid_t root_uid; /* root inside, on the host: owner of a mount point made for the bind */
} BindJob;

/* Unmounts the mount fd is the root of. Through the working directory: "/proc/self/fd" would be the container's
 * /proc after setns(), where we are no process. */
static void unmount_fd(int fd) {
        if (fchdir(fd) >= 0)
                (void) umount2(".", MNT_DETACH);
}

/* The locked tree, built in a private mount namespace (nothing of it reaches the host's until it is attached). */
static int build_tree(const BindJob *j) {
        int src, r;

        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
            mount("nixos-nspawnctl", STAGING, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0700") < 0 || chdir(STAGING) < 0)
                return -errno;
        r = j->is_file ? mknodat(AT_FDCWD, "src", S_IFREG | 0600, 0) | mknodat(AT_FDCWD, "tree", S_IFREG | 0600, 0)
                       : mkdir("src", 0700) | mkdir("tree", 0700);
        if (r < 0)
                return -errno;
        src = locked_tree_clone(AT_FDCWD, j->source, 0, j->read_only, j->idmap_fd);
        if (src < 0)
                return src;
        r = sys_move_mount(src, "", AT_FDCWD, "src", MOVE_MOUNT_F_EMPTY_PATH) < 0 ? -errno : 0;
        safe_close(src);
        if (r < 0)
                return r;
        return locked_tree_make(STAGING "/src", "tree");
}

/* Child: the holder to DST in the container, then the tree to the point. Each step that fails undoes the ones
 * before it that the parent cannot (the holder in the container). */
static _noreturn_ void bind_in_child(const BindJob *j, int report_fd) {
        struct mount_attr slave = { .propagation = MS_SLAVE };
        int host_ns, holder, tree, root, target, step = BIND_STEP_HOLDER, r;
        bool slaved;

        host_ns = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
        /* From the host's namespace: the clone joins the point's peer group, and is made its slave before it is
         * attached, so nothing mounted in the container ever propagates back to the host. */
        holder = sys_open_tree(AT_FDCWD, j->point, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
        if (host_ns < 0 || holder < 0)
                goto fail;
        slaved = sys_mount_setattr(holder, "", AT_EMPTY_PATH, &slave) >= 0;
        step = BIND_STEP_TREE;
        tree = build_tree(j);
        if (tree < 0) {
                errno = -tree;
                goto fail;
        }
        step = BIND_STEP_TARGET;
        if (setns(j->container_ns, CLONE_NEWNS) < 0)
                goto fail;
        root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root < 0)
                goto fail;
        /* resolved in the container's root: its symlinks never lead to the host's files */
        target = mkdir_p_in_root(root, j->destination + 1, 0755, j->root_uid, j->is_file);
        if (target < 0) {
                errno = -target;
                goto fail;
        }
        step = BIND_STEP_ATTACH;
        if (sys_move_mount(holder, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                goto fail;
        if (!slaved && sys_mount_setattr(holder, "", AT_EMPTY_PATH, &slave) < 0) {
                r = -errno;
                unmount_fd(holder);
                errno = -r;
                goto fail;
        }
        step = BIND_STEP_PROPAGATE;
        if (setns(host_ns, CLONE_NEWNS) < 0 ||
            sys_move_mount(tree, "", AT_FDCWD, j->point, MOVE_MOUNT_F_EMPTY_PATH) < 0) {
                r = -errno;
                if (setns(j->container_ns, CLONE_NEWNS) >= 0)
                        unmount_fd(holder);
                errno = -r;
                goto fail;
        }
        _exit(0);
fail:
        process_fail(report_fd, step, -errno, -1);
}

static const char *step_name(int step) {
        switch (step) {
        case BIND_STEP_HOLDER:    return "clone the propagation point";
        case BIND_STEP_TREE:      return "mount the source";
        case BIND_STEP_TARGET:    return "make the mount point in the container";
        case BIND_STEP_ATTACH:    return "mount in the container";
        case BIND_STEP_PROPAGATE: return "attach the bind";
        case UNBIND_STEP_HOLDER:  return "remove the mount point's mount";
        default:                  return "run";
        }
}

static int run_child(const char *what, const char *machine, _noreturn_ void (*fn)(const BindJob *, int),
                     const BindJob *j) {
        int keep[2] = { j->container_ns, j->idmap_fd }, report = -EBADF, r;
        ForkSpec spec = FORK_SPEC_INIT;
        ProcessResult res;
        pid_t pid;

        spec.keep_fds = keep;
        spec.n_keep_fds = j->idmap_fd >= 0 ? 2 : 1;
        pid = process_fork(&spec, &report);
        if (pid < 0)
                return log_error_errno(pid, "Failed to fork: %m");
        if (pid == 0)
                fn(j, report);
        r = process_wait(pid, &report, 0, &res);
        if (r < 0)
                return log_error_errno(r, "Failed to wait for the mounting process: %m");
        if (res.failed)
                return log_error_errno(res.error, "Failed to %s '%s' in container '%s' (%s): %m", what,
                                       j->destination, machine, step_name(res.step));
        if (res.status == NOTHING_THERE)
                return 1;
        if (res.status != 0)
                return log_error_errno(-EIO, "The process to %s in container '%s' ended with status %d.", what,
                                       machine, res.status);
        return 0;
}

/* Which user namespace the bind is idmapped with, as the launcher's --bind/--bind-ro would be (spawn/idmap.c
 * decides the fallback, and logs it). */
static int plan_idmap(const Leader *l, const char *source, bool read_only, uid_t *ret_root, int *ret_fd) {
        _cleanup_close_ int userns_fd = -EBADF;
        BindMount b = { .source = (char *) source, .read_only = read_only, .idmap = IDMAP_AUTO };
        Settings s = { .userns = USERNS_PICK, .binds = &b, .n_binds = 1 };
        IdmapFallback f = {};
        struct stat ours, theirs;
        bool fallback;
        uid_t base = 0;
        int r;

        *ret_root = 0;
        *ret_fd = -EBADF;
        r = leader_userns_fd(l, &userns_fd);
        if (r < 0)
                return r;
        if (fstat(userns_fd, &theirs) >= 0 && stat("/proc/self/ns/user", &ours) >= 0 && ours.st_ino == theirs.st_ino &&
            ours.st_dev == theirs.st_dev)
                return 0; /* -U no: the container has our IDs, and the launcher idmaps nothing either */
        r = leader_uid_base(l, &base);
        if (r < 0)
                return r;
        *ret_root = base;
        r = idmap_plan(&s, false, userns_fd, &f);
        if (r < 0)
                return r;
        fallback = f.binds && f.binds[0];
        idmap_fallback_done(&f);
        if (fallback)
                return 0;
        if (read_only) {
                *ret_fd = TAKE_FD(userns_fd);
                return 0;
        }
        foreign_bind_check(source); /* as the launcher warns for its --bind */
        r = userns_make_mapped(FOREIGN_UID_BASE, base, FOREIGN_UID_SIZE, ret_fd);
        if (r < 0)
                return log_error_errno(r, "Failed to make the foreign range's user namespace: %m");
        return 0;
}

static int open_container_ns(const Leader *l, int *ret) {
        _cleanup_free_ char *path = strprintf("/proc/%d/ns/mnt", (int) l->pid);
        int fd;

        if (!path)
                return log_oom();
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return log_error_errno(negative_errno(), "Failed to open the container's mount namespace: %m");
        /* opened while PID 1 still lived: the namespace is its */
        if (syscall(SYS_pidfd_send_signal, l->pidfd, 0, NULL, 0) < 0) {
                safe_close(fd);
                return log_error_errno(-ESRCH, "The container's PID 1 exited.");
        }
        *ret = fd;
        return 0;
}

/* Child of unbind: in the container, the clone of the point at DST (a ramfs mount root) is unmounted; anything else
 * found there is left alone. */
static _noreturn_ void unbind_in_child(const BindJob *j, int report_fd) {
        struct statfs sf;
        struct statx stx;
        int root, target;

        if (setns(j->container_ns, CLONE_NEWNS) < 0 || (root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
                goto fail;
        target = open_in_root(root, j->destination + 1, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (target < 0)
                _exit(NOTHING_THERE);
        if (fstatfs(target, &sf) < 0 || statx(target, "", AT_EMPTY_PATH, 0, &stx) < 0)
                goto fail;
        if ((unsigned long) sf.f_type != (unsigned long) RAMFS_MAGIC || !(stx.stx_attributes & STATX_ATTR_MOUNT_ROOT))
                _exit(NOTHING_THERE);
        if (fchdir(target) < 0 || umount2(".", MNT_DETACH) < 0)
                goto fail;
        _exit(0);
fail:
        process_fail(report_fd, UNBIND_STEP_HOLDER, -errno, -1);
}

typedef struct Target {
        Leader leader;
        int container_ns;
        char *point;
} Target;

static void target_done(Target *t) {
        leader_done(&t->leader);
        t->container_ns = safe_close(t->container_ns);
        free(t->point);
        t->point = NULL;
}

/* Checks what both verbs are given, and finds the running container and the point's path. */
static int target_open(const char *machine, const char *dst, Target *ret) {
        Target t = { .leader = LEADER_NULL, .container_ns = -EBADF };
        Conf c = {};
        char id[17];
        int r;

        r = container_load(machine, &c);
        conf_done(&c);
        if (r >= 0)
                r = bind_destination_check(dst);
        if (r >= 0)
                r = running_leader(machine, &t.leader);
        if (r >= 0)
                r = open_container_ns(&t.leader, &t.container_ns);
        if (r < 0) {
                target_done(&t);
                return r;
        }
        bind_id(machine, dst, id);
        t.point = strprintf(PROPAGATE_BINDS_DIR "/%s/%s", machine, id);
        if (!t.point) {
                target_done(&t);
                return log_oom();
        }
        *ret = t;
        return 0;
}

int verb_bind(const Args *a) {
        _cleanup_close_ int idmap_fd = -EBADF;
        _cleanup_free_ char *point = NULL, *mountpoint = NULL, *dir = NULL;
        Target t = { .leader = LEADER_NULL, .container_ns = -EBADF };
        const char *src, *dst, *esrc, *edst;
        struct stat st;
        uid_t root_uid;
        BindJob j;
        int r;

        if (!a->rest || !a->rest[0] || !a->rest[1] || a->rest[2])
                return log_invalid("bind needs a source and a destination: nixos-nspawnctl bind NAME SOURCE "
                                   "DESTINATION [--read-only]");
        src = a->rest[0];
        dst = a->rest[1];
        /* (log.c escapes what it prints) */
        esrc = src;
        edst = dst;
        if (src[0] != '/')
                return log_invalid("Invalid bind source '%s': an absolute path on the host.", esrc);
        if (stat(src, &st) < 0)
                return log_error_errno(negative_errno(), "Bind source '%s': %m", esrc);
        if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
                return log_invalid("Invalid bind source '%s': a directory or a regular file.", esrc);
        r = target_open(a->name, dst, &t);
        if (r < 0)
                return r;
        if (access(t.point, F_OK) >= 0) {
                r = log_error_errno(-EEXIST, "'%s' is already bound in container '%s' (nixos-nspawnctl unbind %s %s "
                                    "removes it).", edst, a->name, a->name, edst);
                goto finish;
        }
        r = plan_idmap(&t.leader, src, a->read_only, &root_uid, &idmap_fd);
        if (r < 0)
                goto finish;
        r = mkdir_p(STAGING, 0700);
        if (r < 0) {
                r = log_error_errno(r, "Failed to create '%s': %m", STAGING);
                goto finish;
        }
        r = propagate_bind_create(a->name, strrchr(t.point, '/') + 1, &point);
        if (r < 0)
                goto finish;
        j = (BindJob) {
                .source = src, .destination = dst, .point = point, .read_only = a->read_only,
                .is_file = S_ISREG(st.st_mode), .idmap_fd = idmap_fd, .container_ns = t.container_ns,
                .root_uid = root_uid,
        };
        /* The bind goes on an entry of the point, a directory or a file as the source is: the container's clone is
         * of that entry (a bind of part of the point is a slave of the whole as well). */
        mountpoint = strprintf("%s/m", point);
        if (!mountpoint || (j.is_file ? mknod(mountpoint, S_IFREG | 0600, 0) : mkdir(mountpoint, 0700)) < 0) {
                r = mountpoint ? log_error_errno(negative_errno(), "Failed to create '%s': %m", mountpoint) : log_oom();
                propagate_bind_remove(point);
                goto finish;
        }
        j.point = mountpoint;
        r = run_child("bind", a->name, bind_in_child, &j);
        if (r < 0) {
                /* bad input or a failed step leaves nothing: the child took its mount in the container back */
                propagate_bind_remove(point);
                dir = strprintf(PROPAGATE_BINDS_DIR "/%s", a->name);
                if (dir)
                        (void) rmdir(dir);
        }
finish:
        target_done(&t);
        return r;
}

int verb_unbind(const Args *a) {
        _cleanup_free_ char *dir = NULL;
        const char *edst;
        Target t = { .leader = LEADER_NULL, .container_ns = -EBADF };
        bool had_point;
        BindJob j;
        int r;

        if (!a->rest || !a->rest[0] || a->rest[1])
                return log_invalid("unbind needs a destination: nixos-nspawnctl unbind NAME DESTINATION");
        edst = a->rest[0]; /* (log.c escapes what it prints) */
        r = target_open(a->name, a->rest[0], &t);
        if (r < 0)
                return r;
        /* The point first: its unmount propagates and takes the bind out of the container; only then is the
         * container's clone of the point on top at DST. Killed in between, a second unbind finishes. */
        had_point = access(t.point, F_OK) >= 0;
        if (had_point)
                propagate_bind_remove(t.point);
        dir = strprintf(PROPAGATE_BINDS_DIR "/%s", a->name);
        if (dir)
                (void) rmdir(dir);
        j = (BindJob) { .destination = a->rest[0], .idmap_fd = -EBADF, .container_ns = t.container_ns };
        r = run_child("unbind", a->name, unbind_in_child, &j);
        if (r > 0 && !had_point)
                r = log_error_errno(-ENOENT, "'%s' is not bound in container '%s'.", edst, a->name);
        else if (r > 0)
                r = 0; /* the point was there, its clone gone already */
        target_done(&t);
        return r;
}
