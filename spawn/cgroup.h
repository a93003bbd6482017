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
        char *container; /* the container's cgroup: ".../payload" or the scope; NULL until there is one */
        bool holds_pid1; /* PID 1 was born in `container` (CLONE_INTO_CGROUP): nothing to move */
} Cgroup;

/* The mode, from what we found: pure. */
CgroupMode cgroup_mode_for(bool delegated, bool systemd_booted, bool registering);

/* Before clone: decides the mode once (our cgroup delegated? systemd running? registering with machined?) and
 * makes what can be made already: the delegated or standalone cgroup, handed to owner, in which PID 1 can be
 * born. A scope needs PID 1 to exist: nothing is made for it here. Logs. */
int cgroup_plan(const char *machine, uid_t owner, bool systemd_booted, bool registering, Cgroup *ret);
/* After clone, once machined has or has not made the scope (scope_made): PID 1 in the container's cgroup, handed
 * to owner, before PID 1 unshares its cgroup namespace. A scope that was not made falls back to standalone. Logs. */
int cgroup_place(Cgroup *cg, const char *machine, pid_t pid1, uid_t owner, bool scope_made);
/* Kills what is left and removes what we made, depth-first (systemd inside leaves many children). */
int cgroup_destroy(Cgroup *cg);

/* Finds the cgroup2 mount in /proc/self/mountinfo. */
int cgroup2_find_mount(char **ret);
/* The text of /proc/self/mountinfo, read once a run (where the cgroup hierarchies are mounted does not change
 * while a launcher runs); owned by this file, never freed. */
int host_mountinfo(const char **ret);

typedef bool (*IsHeldFn)(const char *machine);
/* Standalone: removes the cgroups of machines whose launcher is gone (nobody holds their name lock). */
int cgroup_remove_stale(IsHeldFn machine_is_running);
/* Standalone: removes machine's cgroup (killing what is left in it); call it holding the machine's lock. */
int cgroup_remove_machine(const char *machine);
