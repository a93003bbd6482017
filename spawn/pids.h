/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The container's tasks limit (--tasks-max=, resource-limits.h for the default): pids.max on the container's
 * cgroup where cgroup2 offers the pids controller, else on a cgroup of the v1 pids hierarchy made for it (hybrid
 * hosts). Either way it sits outside what the container's root may write: pids.max is not among the files its
 * delegated cgroup hands over, and the v1 cgroup is not in its cgroup namespace at all. */

#include <errno.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroup.h"

typedef struct PidsLimit {
        char *v1_path;   /* the v1 cgroup we made for PID 1 (removed at exit), or NULL */
        int v1_join_fd;  /* its "tasks" file, opened before clone for the outer child to join (pids_limit_prepare) */
        bool decided;    /* pids_limit_prepare() did it all: pids_limit_apply() has nothing left to do */
} PidsLimit;

#define PIDS_LIMIT_NULL ((PidsLimit) { .v1_join_fd = -EBADF })

/* Before clone, for a mode that is final then (standalone, delegated): when cgroup2 offers no pids controller at
 * all, the limit can only be v1's, so its cgroup is made now, pids.max written, and its "tasks" file opened in
 * v1_join_fd for the outer child to join itself before it forks anything (child.c says why that costs no RCU grace
 * period). Otherwise leaves it to pids_limit_apply(). Logs. */
int pids_limit_prepare(const Cgroup *cg, const char *machine, uint64_t max, bool explicit, PidsLimit *p);
/* After cgroup_place(), before PID 1 goes on (it has forked nothing yet): limits the container to max tasks
 * (TASKS_MAX_INFINITY: nothing to do), unless pids_limit_prepare() did. explicit: the user asked for it, so a host
 * without a pids controller is an error rather than a note. Logs. */
int pids_limit_apply(const Cgroup *cg, const char *machine, pid_t pid1, uint64_t max, bool explicit, PidsLimit *p);
/* Removes the v1 cgroup, once PID 1 is gone. */
void pids_limit_done(PidsLimit *p);
/* Enables the pids controller in cgroup2 directory dir's parent's cgroup.subtree_control, and in that of each
 * ancestor from top (a directory we manage: the cgroup2 root standalone, our unit's cgroup when delegated) down,
 * so that dir has a pids.max. 0: it has; -ENOENT: cgroup2 offers no pids controller here (bound to v1, or not
 * enabled above top); -EINVAL: dir is not top or below it. */
int pids_v2_enable(const char *top, const char *dir);
/* The directory of our cgroup in the v1 pids hierarchy, from the texts of /proc/self/mountinfo and
 * /proc/self/cgroup. -ENOENT: no v1 pids hierarchy. */
int pids_v1_dir(const char *mountinfo, const char *proc_cgroup, char **ret);
/* The v1 cgroups of machines whose launcher is gone (nobody holds their name lock). */
void pids_remove_stale(IsHeldFn machine_is_running);
/* That of one machine (what is left in it killed); call it holding the machine's lock. */
void pids_remove_machine(const char *machine);
/* The cgroup.procs of the v1 cgroup our tasks limit put process pid (the container's PID 1) in: what enters the
 * container joins it too, so it counts (nixos-nspawnctl run). -ENOENT: none (cgroup2's limit, or no limit). */
int pids_v1_procs_of(pid_t pid, char **ret);
