/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

/* What nixos-nspawnctl attaches at a bind's propagation point (bind.c), so that its copy in the container is locked
 * against root there. (A live update's store layer needs no such pair: it covers the store's root whole, live.c.)
 *
 * The kernel copies a tree that propagates into a less privileged mount namespace with every mount's flags locked
 * (read-only, nosuid, nodev stay) and every mount but the top one locked against unmounting (MNT_LOCKED): the top
 * one is what the propagation added, the others would reveal what is below them. So each arrival is a tree of two,
 * the same mount stacked on itself: inside, its path resolves to the upper one, which is locked against both
 * unmounting and remounting; the lower one is reachable by no path. Only an unmount on the host, which propagates,
 * takes the pair away again (the upper with the lower, as the kernel allows for a mount that covers another
 * whole).
 *
 * Child side (allocates nothing, logs nothing): binds source onto name (relative to the working directory; a
 * directory or file made for it) twice, and returns a detached clone of the pair as one tree, or -errno. */
int locked_tree_make(const char *source, const char *name);

/* What such a tree is made from: a detached clone of dfd/path (open_flags: AT_SYMLINK_NOFOLLOW or 0), nosuid, nodev,
 * read-only when asked, idmapped into userns_fd's user namespace unless it is -EBADF (-U no, or a file system that
 * refuses idmapping: idmap.c decides). Child side too: returns the fd or -errno. */
int locked_tree_clone(int dfd, const char *path, unsigned open_flags, bool read_only, int userns_fd);
