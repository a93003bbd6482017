/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "mounts.h"

/* Outer child, on the /run its part of the mount table made: /run/host with os-release, container-manager,
 * container-uuid, inaccessible/{reg,dir,fifo,sock,chr,blk}, the notify socket bound at notify, an empty
 * credentials/ (credentials_mount() mounts there), all the container root's; then read-only. */
int run_host_fill(const MountPlan *p, int root_fd);
