/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "settings.h"

#define EXIT_REBOOT 133 /* PID 1 asked for a reboot: restart us (RestartForceExitStatus=133) */

/* Runs the container to its end. Returns the exit status for the launcher (>= 0) or -errno after logging. */
int spawn_run(const Settings *s);
