/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

/* A running container's PID 1, held by a pidfd so that a reused PID can never stand in for it. */
typedef struct Leader {
        pid_t pid;
        int pidfd;
} Leader;

#define LEADER_NULL { .pid = 0, .pidfd = -EBADF }

void leader_done(Leader *l);
/* The container's PID 1 is the launcher's child in another PID namespace (it is cloned with CLONE_PARENT). */
int leader_of_launcher(pid_t launcher, Leader *ret);
/* The container's user namespace, as an fd (for idmapped mounts). */
int leader_userns_fd(const Leader *l, int *ret_fd);
/* Root inside the container, on the host: the first line of its uid_map ("0 BASE SIZE"). Logs. */
int leader_uid_base(const Leader *l, uid_t *ret);

typedef struct EnterOptions {
        bool pty;                   /* a fresh terminal of the container's, relayed to ours (login) */
        unsigned start_timeout_sec; /* until the command runs (0: none) */
        unsigned timeout_sec;       /* until it ended (0: none: run's command is the caller's to end) */
} EnterOptions;

/* Runs argv as root inside every namespace of the container (user, mount, PID, UTS, IPC, network, cgroup), in a
 * cgroup of ours next to the container's (enter-cgroup.h: one it cannot freeze), confined as PID 1 is: its
 * bounding set, a session keyring of its own, and the seccomp filter the launcher gives PID 1 for the container's
 * launcher_args (its --system-call-filter=). stdio are ours, or with o->pty a fresh terminal of the container's,
 * relayed to ours (login). Returns 0 with *ret_status the command's exit status (128+signal when killed; 127,
 * logged, when it is not there), or -errno (logged; -ETIMEDOUT when a deadline passed and it was killed): ours
 * never pass for the command's, nor the other way round. */
int enter_run(const Leader *l, char *const *launcher_args, char *const argv[], const EnterOptions *o,
              int *ret_status);
/* Whether our stdin, stdout and stderr may go into the container (without pty, enter_run() passes them): open,
 * and each a terminal or other character device, a pipe, a socket or a regular file; never a directory or an
 * O_PATH fd, through which root inside would reach the host's files. Logs why not. */
int enter_stdio_check(void);
/* Prints the addresses of the container's network interfaces (not loopback): IPv4 first, then IPv6. Returns how
 * many. */
int enter_show_ip(const Leader *l);
/* The same lines (escaped), in *ret. */
int enter_addresses(const Leader *l, char **ret);
