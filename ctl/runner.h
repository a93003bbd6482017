/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "conf.h"

/* How a container runs, as an interface: as the unit nixos-nspawn@NAME.service when systemd is the host's init
 * (systemd.c), or supervised by us, detached, with its own log (supervise.c). runners.h picks one. Each function
 * logs its own failures. */
typedef enum RunState {
        RUN_STOPPED,
        RUN_STARTING,
        RUN_RUNNING,
        RUN_STOPPING,
        RUN_FAILED, /* not running: it gave up restarting (the start limit), as a unit's "failed" */
} RunState;

static inline const char *run_state_name(RunState s) {
        static const char *const names[] = {
                [RUN_STOPPED] = "stopped",
                [RUN_STARTING] = "starting",
                [RUN_RUNNING] = "running",
                [RUN_STOPPING] = "stopping",
                [RUN_FAILED] = "failed",
        };
        return names[s];
}

typedef struct Runner {
        /* Returns when the container is ready (its READY=1), or fails after timeout_sec. Starting a running one
         * is 0. */
        int (*start)(const Conf *c, unsigned timeout_sec);
        /* An orderly poweroff (kill: SIGKILL to its PID 1), waiting until the launcher is gone. */
        int (*stop)(const char *name, bool kill, unsigned timeout_sec);
        int (*restart)(const Conf *c, unsigned timeout_sec);
        int (*state)(const char *name, RunState *ret);
        /* The launcher's PID of a running container. -ESRCH (not logged) when it does not run. */
        int (*launcher)(const char *name, pid_t *ret);
        /* A line for status: where the log is, or which unit. */
        int (*describe)(const char *name, char **ret);
} Runner;
