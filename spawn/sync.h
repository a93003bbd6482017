/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "report.h"

/* The monitor and its children talk over one report pair (common/report.h, the tree's one child-report protocol).
 * A message is either one of the protocol's steps forward (SYNC_PID1_STARTED, SYNC_PID1_READY, SYNC_GO) or a
 * child's failure (SYNC_FAILED = REPORT_FAILED), which names the step that failed (ChildStep, child.h), its errno
 * and an index (which store path, which bind). The child never formats text; the monitor turns a failure into one
 * log line.
 *
 * The numbered sync points, in the order a start passes them (the same numbers mark both sides in spawn.c and
 * child.c, as "SYNC n"):
 *
 *   n  monitor                                   children
 *   1  clones the outer child                    outer child starts: builds the root, unshares, clones PID 1
 *   2  learns PID 1's pid                     <- outer child: SYNC_PID1_STARTED (arg: pid), then exits
 *   3  learns PID 1's own mounts are done     <- PID 1: SYNC_PID1_READY, then waits
 *      (2 and 3 arrive in either order; then the monitor does its part: cgroup, links, units, registration)
 *   4  lets PID 1 go on                       -> PID 1: SYNC_GO; it unshares its cgroup namespace, drops caps
 *   5  reads EOF: PID 1 exec'd                   PID 1: execve() closes its end (O_CLOEXEC)
 *
 * A SYNC_FAILED may arrive instead of 2, 3 or 5. */
typedef enum SyncKind {
        SYNC_FAILED = REPORT_FAILED,
        SYNC_PID1_STARTED = REPORT_KIND_USER,
        SYNC_PID1_READY,
        SYNC_GO,
} SyncKind;

typedef enum SyncPoint {
        SYNC_POINT_OUTER_CHILD = 1,
        SYNC_POINT_PID1_STARTED,
        SYNC_POINT_PID1_READY,
        SYNC_POINT_GO,
        SYNC_POINT_EXEC,
} SyncPoint;

/* The monitor passed sync point n. Called once per point, at the one place the monitor passes it, so that what a
 * test wants to do at a point (stop there, fail there) has one place to go. It calls the test-only stop hook
 * (testhook.h, NIXOS_NSPAWN_TEST_STOP_AT). */
void sync_point(SyncPoint n);
