/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The launcher's children, between clone() and exec(): the outer child builds the root with host privileges and
 * starts PID 1, which finishes inside the container's namespaces and executes its init. Neither allocates nor
 * logs: a failure travels to the monitor as (step, -errno, index) over the sync socket (sync.h). */

#include <sys/types.h>

#include "macro.h"
#include "mounts.h"
#include "settings.h"

typedef enum Step {

        STEP_NETNS = 1,
        STEP_LOGINUID,
        STEP_STAGING,
        STEP_ROOT,
        STEP_STORE,
        STEP_BINDS,
        STEP_DEV,
        STEP_RUN,
        STEP_SYSFS,
        STEP_ENTER_USERNS,
        STEP_UNSHARE,
        STEP_CLONE,
        STEP_PID1_STARTED, /* not a failure: carries PID 1's pid (from the outer child) */
        STEP_PID1_READY,   /* not a failure: PID 1's own mounts are done, it waits at SYNC 3 */
        STEP_PROC,
        STEP_LATE_MOUNTS,
        STEP_HOSTNAME,
        STEP_LOOPBACK,
        STEP_PIVOT_ROOT,
        STEP_WAIT,
        STEP_CGROUP,
        STEP_CONSOLE,
        STEP_CAPS,
        STEP_EXEC,
        _STEP_MAX,
} Step;

const char *step_name(int step);

/* What the children need, prepared by the monitor before clone. */
typedef struct ChildPlan {
        const Settings *settings;
        const MountPlan *mounts;
        int userns_fd;    /* -EBADF: no user namespace */
        int netns_fd;     /* --network-namespace-path, or -EBADF */
        char *const *argv;
        char **env;
} ChildPlan;

_noreturn_ void outer_child(const ChildPlan *c, pid_t monitor, int sync_fd);
