/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

/* The container's end of sd_notify(): a datagram socket bound at /run/host/notify inside the container. */
int notify_socket_new(int *ret_fd);
/* Reads one datagram: 1 with its text in buf (NUL-terminated) when it came whole (MSG_TRUNC) from sender (checked
 * by SCM_CREDENTIALS), 0 when there was none or it is ignored (truncated, another sender). fds passed along are
 * closed. */
int notify_recv_from(int fd, pid_t sender, char *buf, size_t size);
/* Reads one datagram. Sets *ret_ready when it comes from `leader` (checked by SCM_CREDENTIALS) and says READY=1.
 * STATUS= lines are copied to ret_status (may be empty). */
int notify_receive(int fd, pid_t leader, bool *ret_ready, char *ret_status, size_t status_size);
