/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "conf.h"

/* How a container runs: as the unit nixos-nspawn@NAME.service when systemd is the host's init (systemd.c), or
 * supervised by us, detached, with its own log (supervise.c). Each function logs its own failures. */
typedef enum RunState {
        RUN_STOPPED,
        RUN_STARTING,
        RUN_RUNNING,
        RUN_STOPPING,
} RunState;

const char *run_state_name(RunState s);
bool runner_uses_systemd(void);

/* Returns when the container is ready (its READY=1), or fails after timeout_sec. Starting a running one is 0. */
int runner_start(const Conf *c, unsigned timeout_sec);
/* An orderly poweroff (kill: SIGKILL to its PID 1), waiting until the launcher is gone. */
int runner_stop(const char *name, bool kill, unsigned timeout_sec);
int runner_restart(const Conf *c, unsigned timeout_sec);
int runner_state(const char *name, RunState *ret);
/* The launcher's PID of a running container. -ESRCH (not logged) when it does not run. */
int runner_launcher(const char *name, pid_t *ret);
/* A line for status: where the log is, or which unit. */
int runner_describe(const char *name, char **ret);

/* supervise.c and systemd.c */
int supervise_start(const Conf *c, unsigned timeout_sec);
int supervise_stop(const char *name, bool kill, unsigned timeout_sec);
int supervise_state(const char *name, RunState *ret);
int supervise_launcher(const char *name, pid_t *ret);
int unit_start(const char *name, bool restart, unsigned timeout_sec);
int unit_stop(const char *name, bool kill, unsigned timeout_sec);
int unit_state(const char *name, RunState *ret);
int unit_launcher(const char *name, pid_t *ret);
/* Queues a restart of the unit without waiting (from the unit's own ExecReload=, waiting would deadlock). */
int unit_restart_no_block(const char *name);

/* The launcher binary: $NIXOS_NSPAWN, else nixos-nspawn next to us, else from PATH. */
const char *launcher_binary(void);
