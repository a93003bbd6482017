/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

/* Parent/child messages over a SOCK_SEQPACKET pair. The child never formats text: it reports which step it was
 * at, the errno, and an index (which store path, which bind), and the parent turns that into one log line. */
typedef struct SyncMessage {
        int32_t step;
        int32_t error; /* negative errno, or 0 */
        int64_t arg;
} SyncMessage;

int sync_pair(int ret_fds[2]);
int sync_send(int fd, int step, int error, int64_t arg);
/* Returns 1 with a message, 0 at EOF (every child end closed: exec succeeded or the child died). */
int sync_recv(int fd, SyncMessage *ret);
