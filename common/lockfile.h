/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

/* An exclusive, non-blocking flock() on path, created when missing. -EWOULDBLOCK when someone holds it. */
int lock_file(const char *path, int *ret_fd);
/* The same, waiting for whoever holds it. */
int lock_file_wait(const char *path, int *ret_fd);
/* Unlinks path while still holding fd's lock (so nobody can take the stale name in between), then closes fd. */
int unlock_file(const char *path, int fd);
/* Removes the lock files in dir that nobody holds: what killed launchers left. */
void lock_dir_sweep(const char *dir);
/* Whether someone holds the lock on path (a missing file is not held). Probes with a shared lock: concurrent
 * probes never make each other see "held". */
bool lock_is_held(const char *path);
