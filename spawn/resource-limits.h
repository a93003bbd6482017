/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The limits every container gets without being asked (tmpfs sizes and inodes, a tasks limit) and the options
 * that change them. Pure: no I/O, no allocation in what the children call. */

#include <stdint.h>

#include "settings.h"

/* systemd-nspawn@.service's TasksMax=, and ours (units/nixos-nspawn@.service.in). */
#define TASKS_MAX_DEFAULT 16384U

/* "/", "/run", "/tmp", "/dev", "/dev/shm": the tmpfs mounts --tmpfs-limits= may change; TMPFS_LIMIT_NONE else. */
TmpfsLimitId tmpfs_limit_from_path(const char *path);
/* The size= and nr_inodes= of one of them: what --tmpfs-limits= said, or the default. */
void tmpfs_limit_get(const Settings *s, TmpfsLimitId id, const char **ret_size, const char **ret_nr_inodes);
/* Appends ",size=S,nr_inodes=N" for id to the options in buf (children call it: no allocation). */
void tmpfs_limit_append(const Settings *s, TmpfsLimitId id, char *buf, size_t bufsize);
/* --tmpfs-limits=PATH:OPTIONS, OPTIONS comma-separated size=N[k|m|g|%] and nr_inodes=N[k|m|g]. -EINVAL, -ENOMEM. */
int settings_set_tmpfs_limits(Settings *s, const char *spec);

/* --tasks-max=N|infinity (N >= 1). */
int parse_tasks_max(const char *v, uint64_t *ret);
/* The pids limit the launcher sets on the container's cgroup: --tasks-max= when given; otherwise, under a unit or
 * scope of systemd's, none of ours (the unit's TasksMax= applies: systemd sets it on the cgroup above ours), and
 * without one TASKS_MAX_DEFAULT. TASKS_MAX_INFINITY: nothing to set. */
uint64_t tasks_max_for(const Settings *s, bool under_systemd_unit);
