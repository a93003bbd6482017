/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

/* Where the container's cgroup comes from:
 * - delegated: we run in a Delegate=yes unit; we move to "supervisor/", the container goes to "payload/";
 * - scope: systemd-machined made machine-NAME.scope for the container (we were started from a shell);
 * - standalone: no systemd; our own "<cgroup2>/nixos-nspawn/NAME", the container in its "payload/".
 * In every mode the container's cgroup is handed to its root and becomes the root of its cgroup namespace. */
typedef enum CgroupMode {
        CGROUP_STANDALONE,
        CGROUP_DELEGATED,
        CGROUP_SCOPE,
} CgroupMode;

typedef struct Cgroup {
        CgroupMode mode;
        char *path;      /* ours: the machine's cgroup (standalone) or our unit's (delegated); NULL for scope */
        char *container; /* the container's cgroup: ".../payload" or the scope */
} Cgroup;

/* Finds the cgroup2 mount with libmount. */
int cgroup2_find_mount(char **ret);
/* Whether we run in a cgroup that systemd delegated to us (Delegate=yes), and which. */
int cgroup_delegated(char **ret_path);
/* Delegated set-up in the cgroup cgroup_delegated() found (taken), or standalone (NULL); a scope comes from
 * machined instead (cgroup_use_scope). */
int cgroup_create(const char *machine, uid_t owner, char *delegated, Cgroup *ret);
int cgroup_use_scope(pid_t leader, uid_t owner, Cgroup *ret);
/* Moves PID 1 into the container's cgroup (before it unshares its cgroup namespace). */
int cgroup_attach(const Cgroup *cg, pid_t pid);
/* Kills what is left and removes what we made, depth-first (systemd inside leaves many children). */
int cgroup_destroy(Cgroup *cg);

typedef bool (*IsHeldFn)(const char *machine);
/* Standalone: removes the cgroups of machines whose launcher is gone (nobody holds their name lock). */
int cgroup_remove_stale(IsHeldFn machine_is_running);
