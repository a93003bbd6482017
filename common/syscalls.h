/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The new mount API, with wrappers for libcs that lack them. Feature use is decided by the errors these return
 * (ENOSYS, EINVAL), never by kernel version. */

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <sched.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef MOVE_MOUNT_BENEATH
#define MOVE_MOUNT_BENEATH 0x00000200 /* Linux 6.5: below the mount on top of the target, not on it */
#endif

static inline int sys_open_tree(int dfd, const char *path, unsigned flags) {
        return (int) syscall(__NR_open_tree, dfd, path, flags);
}

static inline int sys_move_mount(int from_dfd, const char *from, int to_dfd, const char *to, unsigned flags) {
        return (int) syscall(__NR_move_mount, from_dfd, from, to_dfd, to, flags);
}

static inline int sys_mount_setattr(int dfd, const char *path, unsigned flags, struct mount_attr *attr) {
        return (int) syscall(__NR_mount_setattr, dfd, path, flags, attr, sizeof(*attr));
}

static inline int sys_fsopen(const char *fs, unsigned flags) {
        return (int) syscall(__NR_fsopen, fs, flags);
}

static inline int sys_fsconfig(int fd, unsigned cmd, const char *key, const void *value, int aux) {
        return (int) syscall(__NR_fsconfig, fd, cmd, key, value, aux);
}

static inline int sys_fsmount(int fd, unsigned flags, unsigned attr) {
        return (int) syscall(__NR_fsmount, fd, flags, attr);
}

static inline int sys_pivot_root(const char *new_root, const char *put_old) {
        return (int) syscall(__NR_pivot_root, new_root, put_old);
}

/* clone() without a new stack: fork semantics, plus namespace and CLONE_PARENT flags. */
static inline pid_t raw_clone(unsigned long flags) {
        return (pid_t) syscall(__NR_clone, flags, NULL, NULL, NULL, 0);
}

#include <linux/sched.h>
#include <signal.h>

/* clone() straight into a cgroup (CLONE_INTO_CGROUP, kernel >= 5.7): the child is born there, which spares
 * migrating it afterwards (a migration waits for an RCU grace period: milliseconds). -1/errno (ENOSYS, E2BIG,
 * EINVAL on older kernels) means: use raw_clone() and move it. */
static inline pid_t clone_into_cgroup(unsigned long flags, int cgroup_fd) {
        struct clone_args args = {
                .flags = flags | CLONE_INTO_CGROUP,
                .exit_signal = SIGCHLD,
                .cgroup = (uint64_t) cgroup_fd,
        };
        return (pid_t) syscall(__NR_clone3, &args, sizeof args);
}
