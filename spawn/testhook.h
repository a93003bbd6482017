/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Test-only: NIXOS_NSPAWN_TEST_STOP_AT=N makes the monitor stop itself (SIGSTOP) at stop point N, so a test can
 * SIGKILL it at exactly that moment instead of relying on timing luck (checks/integration/90-faults.sh).
 *
 * Why it is harmless to ship: only root runs the launcher (it refuses to run otherwise, and never setuid), and
 * root can stop or kill it at any moment anyway; the variable only makes the moment deterministic. It is read
 * once, is never passed to the container (PID 1's environment is built from scratch), and changes nothing
 * else: without it, or with any value that is not a stop point, nothing stops.
 *
 * The points: 0 after prepare() (machine and UID locks, cgroup, propagation point, console; nothing cloned), then
 * the numbered sync points 1-5 of sync.h, where the monitor's sync_point(n) is called: 1 outer child cloned, 2
 * PID 1's pid known, 3 PID 1's own mounts done (the monitor then makes links, units, export, registration), 4
 * PID 1 let go, 5 PID 1 exec'd; 6 (within prepare(), before point 0) the store view found or built, its lock held
 * (spawn/view.c), nothing cloned from it yet. */
#define TEST_STOP_POINTS 7

/* Stops here when point is the one NIXOS_NSPAWN_TEST_STOP_AT asks for (read at the first call). */
void test_stop_at(int point);
