/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "credentials.h"
#include "idmap.h"
#include "mount-util.h"
#include "settings.h"
#include "store.h"

/* An empty tmpfs mounted here (inside the launcher's private mount namespace) holds the new root and the
 * staging mounts it is built from; it disappears with that namespace. */
#define STAGING_DIR "/run/nixos-nspawn/staging"

/* Everything the child needs to build the container's file system, prepared by the parent before clone so the
 * child never allocates. */
typedef struct MountPlan {
        const Settings *settings;
        const Closure *closure;
        bool userns;          /* the container has its own user namespace */
        uid_t uid;            /* container root as seen on the host: the range base, or 0 */
        int userns_fd;        /* for idmapped mounts */
        int foreign_userns_fd; /* for foreign binds: maps the foreign range to the container's range */
        const IdmapFallback *unmapped; /* the monitor's word on what its file system will not let be idmapped */
        int notify_fd;        /* unbound datagram socket, bound at /run/host/notify */
        const char *console;  /* host pty for /dev/console; NULL: /dev/null */
        const char *os_release;
        const char *uuid;     /* dashed 8-4-4-4-12 */
        const char *store_propagation; /* the host's propagation point for the store (propagate.h), or NULL */
        int store_view_fd;    /* a detached clone of the closure's store view (view.h), unmapped */
        const Credentials *credentials; /* loaded (credentials.h) */
        int tmp_by;           /* MountPhase that mounts /tmp (mount_tmp_phase(), mount-table.h), or -1 */
} MountPlan;


/* Outer child, still in the host user namespace. Each returns -errno; *ret_index names the failing element. */
int mount_staging(const Settings *s);
int mount_root(const MountPlan *p, int *ret_root_fd);
int mount_store(const MountPlan *p, int root_fd, size_t *ret_index);
int mount_binds(const MountPlan *p, int root_fd, size_t *ret_index);
int mount_tmpfs(const MountPlan *p, int root_fd, size_t *ret_index);
int mount_pivot_root(int root_fd);
/* The API file systems (/dev, /run, /tmp, /proc, /sys) are mount-table.h's, /run/host runhost.h's. */
