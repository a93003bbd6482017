/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "runner.h"

/* The unit nixos-nspawn@NAME.service over sd-bus (systemd.c). */
extern const Runner systemd_runner;
/* Queues a restart of the unit without waiting (from the unit's own ExecReload=, waiting would deadlock). */
int unit_restart_no_block(const char *name);
