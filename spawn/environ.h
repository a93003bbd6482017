/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "settings.h"

/* The host's os-release (for /run/host/os-release and the container_host_* variables); "ID=linux" without one. */
int os_release_read(char **ret);
/* PID 1's environment: PATH, container=, container_uuid=, HOME, NOTIFY_SOCKET, CREDENTIALS_DIRECTORY (with
 * credentials), TERM, container_host_{id,version_id,build_id,variant_id} from os_release, then --setenv= over
 * those (one entry per name). Logs. */
/* $container and /run/host/container-manager: systemd-nspawn's name, not ours, because we implement its container
 * interface and units test for it (ConditionVirtualization=systemd-nspawn); docs/systemd.md says why. */
#define CONTAINER_MANAGER "systemd-nspawn"

int environ_build(const Settings *s, const char *uuid, const char *os_release, char ***ret);
