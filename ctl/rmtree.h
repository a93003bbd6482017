/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Deletes the directory tree at path, staying on its own mount: a container's state directory, which root inside
 * filled and the admin may have bound host directories into. It walks by fd (openat with O_NOFOLLOW|O_DIRECTORY:
 * a symlink is removed, never followed, whatever it was swapped for meanwhile) and never enters another mount —
 * another file system, or a bind mount of the same one (statx's mount ID tells those apart; `rm -rf
 * --one-file-system` compares only the device and so deleted through a bind). A mount point found below is left,
 * with its parents, and the result is -EBUSY (logged). path itself being a symlink or a file: it is removed.
 * -ENOENT (not logged) when there is nothing at path. */
int rm_tree_one_mount(const char *path);
/* -EBUSY (logged, naming it) when something is mounted at path or below, as /proc/self/mountinfo says; 0 if not. */
int refuse_mounts_below(const char *path);
