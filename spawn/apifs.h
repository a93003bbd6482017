/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>

#include "child.h"

/* The container's /proc (with its masks) and, with a network namespace of its own, its /sys, made by a helper
 * that keeps host privileges, so that they arrive in the container's mount namespace locked: root inside can
 * neither unmount a mask nor make /proc/sys or /sys writable. apifs.c says how. Children only: no allocation, no
 * logging; failures go to the monitor as SYNC_FAILED. */
typedef struct ApiFsHelper {
        pid_t pid;
        int pid_fd;  /* outer child writes PID 1's pid here */
        int done_fd; /* PID 1 reads one byte here when the helper is done (EOF: it failed) */
} ApiFsHelper;

/* Outer child, after the pivot and before it leaves the host's user namespace. */
int apifs_start(const ChildPlan *c, int sync_fd, ApiFsHelper *ret);
/* Outer child, once PID 1 exists: hands the helper PID 1's pid and waits for it. */
void apifs_release(ApiFsHelper *h, pid_t pid1);
/* PID 1, first thing: 0 when /proc and /sys are in place, -EIO when the helper failed (it reported why). */
int apifs_wait(ApiFsHelper *h);
