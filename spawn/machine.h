/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

/* Whether a launcher holds machine name's lock (true when in doubt: the sweep then leaves its things alone). */
bool machine_is_running(const char *name);
/* Takes machine name's lock for the container's life; a held one is refused naming the unit that holds it. */
int machine_lock(const char *name, char **ret_path, int *ret_fd);

/* --network-namespace-path: opens a network namespace file, refusing anything else (a FIFO is never waited on). */
int netns_open(const char *path, int *ret_fd);
/* --network-namespace-export=PATH: binds pid1's network namespace at path (recorded first, for the sweep). path NULL:
 * nothing to do. Sets *ret_exported once it is there. */
int netns_export(const char *machine, const char *path, pid_t pid1, bool *ret_exported);
void netns_unexport(const char *machine, const char *path, bool *exported);
