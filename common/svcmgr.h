/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "macro.h"

/* The launcher's side of the service-manager protocol (sd_notify(3), sd_booted(3)), written here so that a start
 * does not load libsystemd and its dependencies for them: that alone was most of a short run's dynamic-loader
 * time. Same behaviour as systemd's for what we use: $NOTIFY_SOCKET is a path ("/…") or an abstract socket
 * ("@…"); unset means there is nobody to tell (returns 0); the variable stays set for later messages. */
int svcmgr_notify(const char *state);
int svcmgr_notifyf(const char *fmt, ...) _printf_(1, 2);
/* The host was booted with systemd as its service manager. */
bool svcmgr_booted(void);
