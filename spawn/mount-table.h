/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "mounts.h"

/* The API file systems (/dev, /run, /tmp, /proc, /sys and what covers parts of them): what is mounted where, by
 * whom and with which flags is one table in mount-table.c; each process walks its own part of it. */

/* Who mounts, and when: the table's first column. In the order a start passes them. */
typedef enum MountPhase {
        MOUNT_BY_OUTER_CHILD,       /* host privileges, before the binds: /dev, /run (and /tmp, see below) */
        MOUNT_BY_OUTER_CHILD_LAST,  /* host privileges, after the binds: the /proc and /sys placeholders */
        MOUNT_BY_PROC_HELPER,       /* host privileges, in PID 1's PID and network namespaces (apifs.c) */
        MOUNT_BY_PID1,              /* PID 1, in the container's namespaces, before SYNC 3 */
        MOUNT_BY_PID1_AFTER_GO,     /* PID 1, after SYNC 4, in its own cgroup namespace */
        _MOUNT_PHASE_MAX,
        MOUNT_PHASE_NONE = -1,      /* nobody: the user's --bind or --tmpfs is the container's /tmp */
} MountPhase;

/* Where /tmp comes from, decided once by the monitor (MountPlan.tmp_by). PID 1 mounts it, so that it is the
 * container's to unmount at shutdown (a mount made with host privileges is locked and would fail tmp.mount's stop
 * job), unless binds go below it, which only the outer child can make: then the outer child mounts /tmp first. A
 * --tmpfs=/tmp or a bind onto /tmp replaces ours. Pure. */
MountPhase mount_tmp_phase(const Settings *s);

/* Mounts the table's entries of this phase, in order, below root_fd. *ret_index names the failing entry. */
int mount_api(const MountPlan *p, int root_fd, MountPhase phase, size_t *ret_index);
/* What entry i does, for the monitor's message ("mount devpts on /dev/pts"); NULL if there is none. */
const char *mount_api_describe(size_t i, char *buf, size_t size);

/* Outer child, after its part of the table: /dev's symlinks and directories, and the mount points of /proc, /sys
 * and /tmp, all the container root's. */
int mount_api_populate(const MountPlan *p, int root_fd);

/* Row i of the table as plan p applies it: what checks compare with a container's /proc/self/mountinfo
 * (checks/tools/api-mounts.c), so that the table is the one statement of what is mounted. False past the end. */
typedef struct ApiMountRow {
        const char *where;   /* relative to the container's root */
        const char *kind;    /* fs, bind-device, bind-console, read-only, writable, mask */
        const char *what;    /* fs: its source name; a bind: what is bound (host path, or below the root) */
        const char *type;    /* fs: the file system type; else NULL */
        const char *options; /* fs: its options as the table has them (uid=/gid= come on top); else NULL */
        unsigned long flags; /* MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_STRICTATIME of the mount */
        bool inherits_flags; /* a bind of a host node: it has its source mount's flags, not flags of its own */
        MountPhase phase;
        bool wanted;         /* p uses this row */
} ApiMountRow;
bool mount_api_row(size_t i, const MountPlan *p, ApiMountRow *ret);
