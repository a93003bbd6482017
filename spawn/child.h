/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The launcher's children, between clone() and exec(): the outer child builds the root with host privileges and
 * starts PID 1, which finishes inside the container's namespaces and executes its init. Neither allocates nor
 * logs: a failure travels to the monitor as (step, -errno, index) over the sync socket (sync.h, which also lists
 * the numbered sync points). */

#include <sys/types.h>

#include "macro.h"
#include "mounts.h"
#include "seccomp.h"
#include "settings.h"

/* What a child was doing when it failed: the step of a SYNC_FAILED message. Each names the work it reports (the
 * table in child.c says it as the monitor logs it); an index into that work (store path, bind) travels beside. */
typedef enum ChildStep {
        /* the outer child, in the order it works */
        STEP_JOIN_TASKS_LIMIT = 1,
        STEP_JOIN_NETNS,
        STEP_RESET_LOGINUID,
        STEP_MOUNT_STAGING,
        STEP_MOUNT_ROOT,
        STEP_MOUNT_STORE,       /* arg: index into the closure */
        STEP_MOUNT_API,         /* arg: index into the mount table (mount-table.c); also the proc helper's and PID 1's */
        STEP_POPULATE_API,
        STEP_FILL_RUN_HOST,
        STEP_MOUNT_CREDENTIALS,
        STEP_MOUNT_BINDS,       /* arg: index into Settings.binds */
        STEP_MOUNT_TMPFS,       /* arg: index into Settings.tmpfs */
        STEP_PIVOT_ROOT,
        STEP_START_PROC_HELPER,
        /* the proc helper (apifs.c) */
        STEP_JOIN_PID1_NAMESPACES,
        STEP_ENTER_USERNS,
        STEP_UNSHARE_NAMESPACES,
        STEP_CLONE_PID1,
        /* PID 1 */
        STEP_OPEN_ROOT,
        STEP_SET_HOSTNAME,
        STEP_LOOPBACK_UP,
        STEP_SHARE_PROPAGATION,
        STEP_UNSHARE_CGROUPNS,
        STEP_NEW_SESSION,
        STEP_ATTACH_CONSOLE,
        STEP_DROP_CAPS,
        STEP_NEW_KEYRING,
        STEP_LOAD_SECCOMP,
        STEP_EXEC,
        _STEP_MAX,
} ChildStep;

const char *step_name(int step);

/* What the children need, prepared by the monitor before clone. */
typedef struct ChildPlan {
        const Settings *settings;
        const MountPlan *mounts;
        int userns_fd;    /* -EBADF: no user namespace */
        int netns_fd;     /* --network-namespace-path, or -EBADF */
        uint64_t caps;    /* the bounding set PID 1 keeps */
        const SeccompPlan *seccomp;
        char *const *argv;
        char **env;
        /* The monitor's lock files (machine name, UID range): closed first thing in the outer child. A flock()
         * belongs to the open file, and clone() copies the fd table: a copy in a child not yet exec'd (PID 1 until
         * SYNC 5) would keep a killed monitor's machine looking running, and its name and range taken, until that
         * child died too. Only the monitor holds them, so they go with it at once. */
        int monitor_locks[3];
        int pids_join_fd; /* the "tasks" file of the tasks limit's v1 cgroup to join first (pids.h), or -EBADF */
} ChildPlan;

_noreturn_ void outer_child(const ChildPlan *c, pid_t monitor, int sync_fd);
