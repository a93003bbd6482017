/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <errno.h>
#include <stdint.h>
#include <sys/types.h>

/* A mount namespace kept by a bind of its nsfs file, with no process in it: a store view (view.c) and a running
 * container's store propagation point after its first live update (propagate.h, ctl/live.c) live in one each, so
 * that the host's mount table holds one mount for them, not one per store path.
 *
 * setup runs in a child that has just unshare()d its mount namespace from ours (child side: no allocation, no
 * logging; returns 0 or -errno, and may set *ret_index to say which item failed). Then the namespace is bound at
 * path, which must not exist (it is made here, root's, 0400; removed again on failure). Returns 0, or -errno: a
 * failure of setup is not logged (*ret_setup_failed true, *ret_index as setup set it, else -1: the caller names
 * what failed), every other one is. */
int mntns_keep(const char *path, int (*setup)(void *userdata, int64_t *ret_index), void *userdata,
               bool *ret_setup_failed, int64_t *ret_index);

/* The same in two halves, for a caller with other work to do while the child sets up (the store view: view.c).
 * _start() makes path and starts the child; _finish() binds its namespace (or says why not) as mntns_keep() does;
 * a caller that gives up in between calls mntns_keep_abort(), which ends the child and removes path (when
 * not NULL). setup and
 * userdata must still be valid at _finish() (it may run setup again, on another CPU). */
typedef struct MntnsKeeper {
        pid_t pid;
        int report_fd, go_fd;
} MntnsKeeper;

#define MNTNS_KEEPER_NULL ((MntnsKeeper) { .report_fd = -EBADF, .go_fd = -EBADF })

int mntns_keep_start(const char *path, int (*setup)(void *userdata, int64_t *ret_index), void *userdata,
                     MntnsKeeper *ret);
int mntns_keep_finish(const char *path, int (*setup)(void *userdata, int64_t *ret_index), void *userdata,
                      MntnsKeeper *k, bool *ret_setup_failed, int64_t *ret_index);
void mntns_keep_abort(const char *path, MntnsKeeper *k);

/* Unmounts the bind at path (when it is one: a file a killed keeper left is no mount) and removes the file; never
 * follows a symlink. */
void mntns_unkeep(const char *path);

/* dir (made, root's, 0700) as a private mount of its own, made once and kept (like /run/netns of ip-netns): where
 * it is not, the kernel refuses namespace binds below it (EINVAL) wherever /run is shared (on a systemd host it is,
 * and every service with PrivateTmp= or the like has a slave copy of it: the kernel would propagate the bind into
 * those copies, and it refuses to copy a mount namespace's file). Under DIR.lock: two callers would stack two binds,
 * the second hiding the first's namespaces. Logs. */
int mntns_dir_prepare(const char *dir);
