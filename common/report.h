/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

/* The one way a child tells its parent how far it got, for the whole tree (the launcher's sync points, sync.h, and
 * every child that process.h forks): messages over a SOCK_SEQPACKET pair, O_CLOEXEC on both ends.
 *
 * A failure names the step that failed (the caller's own numbers), its negative errno and an index into what the
 * step worked through (which store path, which bind), or -1. The child never formats text: the parent turns a
 * failure into one log line. EOF, every child end closed, means the child exec'd (its end closed with O_CLOEXEC)
 * or ended: only then is the child's exit status the command's own, whatever its value. Other kinds (a protocol's
 * steps forward, such as the launcher's SYNC_PID1_READY) start at REPORT_KIND_USER. */
typedef struct Report {
        int32_t kind;  /* REPORT_FAILED, or the protocol's own, from REPORT_KIND_USER */
        int32_t step;  /* REPORT_FAILED: what failed */
        int32_t error; /* REPORT_FAILED: negative errno */
        int64_t arg;   /* REPORT_FAILED: the index, or -1; otherwise the kind's value */
} Report;

enum {
        REPORT_FAILED = 1,
        REPORT_KIND_USER = 16,
};

int report_pair(int ret_fds[2]);
int report_send(int fd, int kind, int64_t arg);
/* error: negative errno; a value >= 0 (a function that failed without one) is sent as -EIO. */
int report_failure(int fd, int step, int error, int64_t index);
/* Returns 1 with a message, 0 at EOF (every child end closed: exec succeeded or the child died). */
int report_recv(int fd, Report *ret);
