/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The API file systems as data: the table below says what is mounted where, by whom and with which flags, and
 * mount_api() walks the part of it that belongs to one process. Children only: no allocation, no logging.
 *
 * Who mounts what follows from one rule: a mount made with host privileges before the container's mount namespace
 * is copied from it arrives there locked (it cannot be unmounted, its flags cannot be cleared). /dev, /run and
 * the /proc and /sys placeholders are the outer child's for that reason, /proc with its masks the proc helper's
 * (apifs.c says why it is not the outer child's), and what the container must be able to unmount itself (/tmp,
 * at shutdown) or that shows its own namespaces (devpts, mqueue, cgroup2) is PID 1's. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mount-table.h"
#include "resource-limits.h"
#include "strutil.h"
#include "syscalls.h"

typedef enum ApiMountKind {
        API_FS,           /* mount(what, where, type, flags, options) */
        API_BIND_DEVICE,  /* the host's device node `what` bound onto a file at where */
        API_BIND_CONSOLE, /* the console pty the monitor holds (or /dev/null) bound onto where */
        API_READ_ONLY,    /* where bound onto itself, read-only, nosuid, nodev, noexec (missing: nothing to do) */
        API_WRITABLE,     /* where bound onto itself, writable, nosuid, nodev, noexec */
        API_MASK,         /* /run/host/inaccessible/reg bound over where, read-only (missing: nothing to do) */
} ApiMountKind;

typedef enum ApiMountIf {
        API_ALWAYS = 0,
        API_IF_PRIVATE_NETWORK = 1 << 0, /* only with a network namespace of the container's own */
        API_IF_TMP = 1 << 1,             /* only in the phase MountPlan.tmp_by names */
        API_OWNED = 1 << 2,              /* tmpfs options get uid=,gid= of the container's root (host privileges) */
} ApiMountIf;

typedef struct ApiMount {
        MountPhase phase;
        ApiMountKind kind;
        const char *where; /* relative to the container's root */
        const char *what;
        const char *type;
        unsigned long flags;
        const char *options;
        ApiMountIf cond;
        TmpfsLimitId limit; /* a tmpfs: its size= and nr_inodes= (resource-limits.c) */
} ApiMount;

#define RO_ATTRS (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC)
/* What API_MASK binds over a file (runhost.c makes it). */
#define MASK_SOURCE "run/host/inaccessible/reg"

/* One line per mount: FS(who, where, what, type, flags, options, when), or an operation on what is there. */
#define FS(ph, where_, what_, type_, flags_, options_, cond_)                                                    \
        { .phase = ph, .kind = API_FS, .where = where_, .what = what_, .type = type_, .flags = flags_,          \
          .options = options_, .cond = cond_ }
/* A tmpfs with its size and inode limit */
#define TMPFS(ph, where_, what_, flags_, options_, cond_, limit_)                                                 \
        { .phase = ph, .kind = API_FS, .where = where_, .what = what_, .type = "tmpfs", .flags = flags_,        \
          .options = options_, .cond = cond_, .limit = limit_ }
#define OP(ph, kind_, where_, what_, cond_)                                                                       \
        { .phase = ph, .kind = kind_, .where = where_, .what = what_, .cond = cond_ }

#define NOSUID_NODEV_NOEXEC (MS_NOSUID | MS_NODEV | MS_NOEXEC)

static const ApiMount api_mounts[] = {
        /* Not nodev: the host's device nodes are bound in (mknod is not allowed in a user namespace). */
        TMPFS(MOUNT_BY_OUTER_CHILD, "dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=0755", API_OWNED,
              TMPFS_LIMIT_DEV),
        OP(MOUNT_BY_OUTER_CHILD, API_BIND_DEVICE, "dev/null", "/dev/null", 0),
        OP(MOUNT_BY_OUTER_CHILD, API_BIND_DEVICE, "dev/zero", "/dev/zero", 0),
        OP(MOUNT_BY_OUTER_CHILD, API_BIND_DEVICE, "dev/full", "/dev/full", 0),
        OP(MOUNT_BY_OUTER_CHILD, API_BIND_DEVICE, "dev/random", "/dev/random", 0),
        OP(MOUNT_BY_OUTER_CHILD, API_BIND_DEVICE, "dev/urandom", "/dev/urandom", 0),
        OP(MOUNT_BY_OUTER_CHILD, API_BIND_DEVICE, "dev/tty", "/dev/tty", 0),
        OP(MOUNT_BY_OUTER_CHILD, API_BIND_CONSOLE, "dev/console", NULL, 0),
        TMPFS(MOUNT_BY_OUTER_CHILD, "run", "tmpfs", MS_NOSUID | MS_NODEV | MS_STRICTATIME, "mode=0755", API_OWNED,
              TMPFS_LIMIT_RUN),
        TMPFS(MOUNT_BY_OUTER_CHILD, "tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777", API_IF_TMP | API_OWNED,
              TMPFS_LIMIT_TMP),

        /* The container's user namespace may mount proc and sysfs only where an instance of each is already fully
         * visible in its mount namespace (the kernel's mount_too_revealing()); after the pivot the host's are gone.
         * These placeholders, covered by the container's own, show no process the container could not ptrace
         * anyway (hidepid=invisible) and nothing but process directories (subset=pid), in case someone unmounts
         * the cover. */
        FS(MOUNT_BY_OUTER_CHILD_LAST, "proc", "proc", "proc", NOSUID_NODEV_NOEXEC, "hidepid=invisible,subset=pid", 0),
        FS(MOUNT_BY_OUTER_CHILD_LAST, "sys", "sysfs", "sysfs", MS_RDONLY | NOSUID_NODEV_NOEXEC, NULL, 0),

        /* The container's /proc, in its PID namespace: locked with its masks when PID 1 copies the mount table. */
        FS(MOUNT_BY_PROC_HELPER, "proc", "proc", "proc", NOSUID_NODEV_NOEXEC, NULL, 0),
        OP(MOUNT_BY_PROC_HELPER, API_READ_ONLY, "proc/sys", NULL, 0),
        /* a network namespace of its own: its sysctls are the container's to change */
        OP(MOUNT_BY_PROC_HELPER, API_WRITABLE, "proc/sys/net", NULL, API_IF_PRIVATE_NETWORK),
        /* kernel interfaces that reveal or change host state */
        OP(MOUNT_BY_PROC_HELPER, API_MASK, "proc/kcore", NULL, 0),
        OP(MOUNT_BY_PROC_HELPER, API_MASK, "proc/keys", NULL, 0),
        OP(MOUNT_BY_PROC_HELPER, API_MASK, "proc/sysrq-trigger", NULL, 0),
        OP(MOUNT_BY_PROC_HELPER, API_MASK, "proc/timer_list", NULL, 0),
        OP(MOUNT_BY_PROC_HELPER, API_MASK, "proc/kallsyms", NULL, 0),
        OP(MOUNT_BY_PROC_HELPER, API_READ_ONLY, "proc/acpi", NULL, 0),
        OP(MOUNT_BY_PROC_HELPER, API_READ_ONLY, "proc/apm", NULL, 0),
        OP(MOUNT_BY_PROC_HELPER, API_READ_ONLY, "proc/asound", NULL, 0),
        OP(MOUNT_BY_PROC_HELPER, API_READ_ONLY, "proc/bus", NULL, 0),
        OP(MOUNT_BY_PROC_HELPER, API_READ_ONLY, "proc/fs", NULL, 0),
        OP(MOUNT_BY_PROC_HELPER, API_READ_ONLY, "proc/irq", NULL, 0),
        OP(MOUNT_BY_PROC_HELPER, API_READ_ONLY, "proc/scsi", NULL, 0),
        /* sysfs shows the mounting task's network namespace: with one of the container's own it is mounted again,
         * from in there. Read-only: a writable /sys makes systemd wait for udev. */
        FS(MOUNT_BY_PROC_HELPER, "sys", "sysfs", "sysfs", MS_RDONLY | NOSUID_NODEV_NOEXEC, NULL,
           API_IF_PRIVATE_NETWORK),

        /* gid=5: tty inside the container */
        FS(MOUNT_BY_PID1, "dev/pts", "devpts", "devpts", MS_NOSUID | MS_NOEXEC,
           "newinstance,ptmxmode=0666,mode=0620,gid=5", 0),
        TMPFS(MOUNT_BY_PID1, "tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777", API_IF_TMP, TMPFS_LIMIT_TMP),
        TMPFS(MOUNT_BY_PID1, "dev/shm", "shm", MS_NOSUID | MS_NODEV | MS_STRICTATIME, "mode=1777", 0,
              TMPFS_LIMIT_DEV_SHM),
        FS(MOUNT_BY_PID1, "dev/mqueue", "mqueue", "mqueue", NOSUID_NODEV_NOEXEC, NULL, 0),

        /* once the monitor moved PID 1 into its cgroup and PID 1 made it the root of its cgroup namespace */
        FS(MOUNT_BY_PID1_AFTER_GO, "sys/fs/cgroup", "cgroup2", "cgroup2", NOSUID_NODEV_NOEXEC, NULL, 0),
};

MountPhase mount_tmp_phase(const Settings *s) {
        bool below = false;
        const char *rest;

        for (size_t i = 0; i < s->n_binds; i++) {
                rest = path_startswith(s->binds[i].destination, "/tmp");
                if (rest && !*rest)
                        return MOUNT_PHASE_NONE;
                below = below || rest;
        }
        for (size_t i = 0; i < s->n_tmpfs; i++) {
                rest = path_startswith(s->tmpfs[i].destination, "/tmp");
                if (rest && !*rest)
                        return MOUNT_PHASE_NONE;
                below = below || rest;
        }
        return below ? MOUNT_BY_OUTER_CHILD : MOUNT_BY_PID1;
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

static bool wanted(const ApiMount *m, const MountPlan *p, MountPhase phase) {
        if (m->phase != phase)
                return false;
        if ((m->cond & API_IF_PRIVATE_NETWORK) && !p->settings->private_network)
                return false;
        if ((m->cond & API_IF_TMP) && p->tmp_by != phase)
                return false;
        return true;
}

/* The mount attributes an operation row sets; API_WRITABLE also clears MOUNT_ATTR_RDONLY. */
static uint64_t op_attrs(ApiMountKind kind) {
        return kind == API_WRITABLE ? MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC : RO_ATTRS;
}

static int mount_one(const ApiMount *m, const MountPlan *p, int root_fd, uid_t uid) {
        char opts[256];

        switch (m->kind) {
        case API_FS:
                snprintf(opts, sizeof opts, "%s", m->options ?: "");
                if (m->cond & API_OWNED)
                        snprintf(opts + strlen(opts), sizeof opts - strlen(opts), ",uid=%u,gid=%u", (unsigned) uid,
                                 (unsigned) uid);
                tmpfs_limit_append(p->settings, m->limit, opts, sizeof opts);
                return mount_in_root(root_fd, m->where, m->what, m->type, m->flags, opts[0] ? opts : NULL, uid,
                                     false);
        case API_BIND_DEVICE:
                return mount_in_root(root_fd, m->where, m->what, NULL, MS_BIND, NULL, uid, true);
        case API_BIND_CONSOLE:
                return mount_in_root(root_fd, m->where, p->console ?: "/dev/null", NULL, MS_BIND, NULL, uid, true);
        case API_READ_ONLY:
                return bind_attached_with(root_fd, m->where, m->where, op_attrs(m->kind), 0, true);
        case API_WRITABLE:
                return bind_attached_with(root_fd, m->where, m->where, op_attrs(m->kind), MOUNT_ATTR_RDONLY, false);
        case API_MASK:
                return bind_attached_with(root_fd, MASK_SOURCE, m->where, op_attrs(m->kind), 0, false);
        }
        return -EINVAL;
}

int mount_api(const MountPlan *p, int root_fd, MountPhase phase, size_t *ret_index) {
        /* With host privileges the container's root is the range's base; inside its user namespace it is 0. */
        uid_t uid = phase <= MOUNT_BY_OUTER_CHILD_LAST || !p->userns ? p->uid : 0;
        int r;

        for (size_t i = 0; i < ELEMENTSOF(api_mounts); i++) {
                if (!wanted(&api_mounts[i], p, phase))
                        continue;
                *ret_index = i;
                r = mount_one(&api_mounts[i], p, root_fd, uid);
                if (r < 0)
                        return r;
        }
        return 0;
}

const char *mount_api_describe(size_t i, char *buf, size_t size) {
        const ApiMount *m;

        if (i >= ELEMENTSOF(api_mounts))
                return NULL;
        m = &api_mounts[i];
        switch (m->kind) {
        case API_FS:
                snprintf(buf, size, "mount %s on /%s", m->type, m->where);
                break;
        case API_BIND_DEVICE:
                snprintf(buf, size, "bind %s to /%s", m->what, m->where);
                break;
        case API_BIND_CONSOLE:
                snprintf(buf, size, "bind the console to /%s", m->where);
                break;
        case API_READ_ONLY:
                snprintf(buf, size, "make /%s read-only", m->where);
                break;
        case API_WRITABLE:
                snprintf(buf, size, "make /%s writable", m->where);
                break;
        case API_MASK:
                snprintf(buf, size, "mask /%s", m->where);
                break;
        }
        return buf;
}

int mount_api_populate(const MountPlan *p, int root_fd) {
        static const struct {
                const char *name, *target;
        } links[] = {
                { "fd", "/proc/self/fd" },         { "stdin", "/proc/self/fd/0" }, { "stdout", "/proc/self/fd/1" },
                { "stderr", "/proc/self/fd/2" },   { "ptmx", "pts/ptmx" },         { "core", "/proc/kcore" },
        };
        int dev, r = 0;

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
        if (r < 0)
                return r;

        for (const char *d = "proc\0sys\0tmp\0"; *d; d += strlen(d) + 1) {
                int fd = mkdir_p_in_root(root_fd, d, 0555, p->uid, false);
                if (fd < 0)
                        return fd;
                safe_close(fd);
        }
        return 0;
}

bool mount_api_row(size_t i, const MountPlan *p, ApiMountRow *ret) {
        static const char *const kinds[] = {
                [API_FS] = "fs",
                [API_BIND_DEVICE] = "bind-device",
                [API_BIND_CONSOLE] = "bind-console",
                [API_READ_ONLY] = "read-only",
                [API_WRITABLE] = "writable",
                [API_MASK] = "mask",
        };
        const ApiMount *m;
        uint64_t a;

        if (i >= ELEMENTSOF(api_mounts))
                return false;
        m = &api_mounts[i];
        *ret = (ApiMountRow) {
                .where = m->where,
                .kind = kinds[m->kind],
                .type = m->type,
                .options = m->options,
                .phase = m->phase,
                .wanted = wanted(m, p, m->phase),
                .inherits_flags = m->kind == API_BIND_DEVICE || m->kind == API_BIND_CONSOLE,
        };
        switch (m->kind) {
        case API_FS:
                ret->what = m->what;
                ret->flags = m->flags;
                break;
        case API_BIND_DEVICE:
                ret->what = m->what;
                break;
        case API_BIND_CONSOLE:
                ret->what = p->console ?: "/dev/null";
                break;
        case API_READ_ONLY:
        case API_WRITABLE:
        case API_MASK:
                ret->what = m->kind == API_MASK ? MASK_SOURCE : m->where;
                a = op_attrs(m->kind);
                ret->flags = (a & MOUNT_ATTR_RDONLY ? MS_RDONLY : 0) | (a & MOUNT_ATTR_NOSUID ? MS_NOSUID : 0) |
                             (a & MOUNT_ATTR_NODEV ? MS_NODEV : 0) | (a & MOUNT_ATTR_NOEXEC ? MS_NOEXEC : 0);
                break;
        }
        return true;
}
