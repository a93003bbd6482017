/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "runner.h"

/* As sd_booted(): systemd is the host's init. NIXOS_NSPAWNCTL_NO_SYSTEMD=1 supervises anyway (for tests of that
 * mode on a systemd host). */
bool runner_uses_systemd(void);
/* The runner of this host (runner.h). */
const Runner *runner(void);

/* The host's runner's, with the settings' launcher options checked before a start (a hand-edited file may carry
 * anything). */
int runner_start(const Conf *c, unsigned timeout_sec);
int runner_stop(const char *name, bool kill, unsigned timeout_sec);
int runner_restart(const Conf *c, unsigned timeout_sec);
int runner_state(const char *name, RunState *ret);
int runner_launcher(const char *name, pid_t *ret);
int runner_describe(const char *name, char **ret);
