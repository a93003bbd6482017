/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

/* Standalone mode (no systemd to delegate to us): our own cgroup "<cgroup2>/nixos-nspawn/<machine>", the
 * container in its "payload" child, handed to the container's root. */
typedef struct Cgroup {
        char *path;         /* the machine's cgroup, absolute */
        int payload_procs_fd; /* payload/cgroup.procs, for the child to join */
} Cgroup;

#define CGROUP_NULL { .payload_procs_fd = -EBADF }

/* Finds the cgroup2 mount with libmount. */
int cgroup2_find_mount(char **ret);
int cgroup_create(const char *machine, uid_t owner, Cgroup *ret);
/* Kills what is left and removes the tree depth-first (systemd inside leaves many children). */
int cgroup_destroy(Cgroup *cg);
typedef bool (*IsHeldFn)(const char *machine);
/* Removes the cgroups of machines whose launcher is gone (killed: nobody holds their name lock). */
int cgroup_remove_stale(IsHeldFn machine_is_running);
