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
 * probes never make each other see "held". A refusal is asked again for up to 10 ms, so that a moment's exclusive
 * holder (a taker, a sweeper) does not read as a running machine where that answer misleads (state, list). */
bool lock_is_held(const char *path);
/* The same, asked once. For sweeps, where "held" means "leave it alone": the safe answer for a moment's holder too,
 * and a running machine's lock is held for good, so asking again only waited. lock_is_held()'s patience cost every
 * start 11 ms for each running machine in each directory its sweep looks at (cgroup2, v1 pids, ...). */
bool lock_is_held_now(const char *path);
