/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Working inside the container's root (root_fd) from the children: nothing allocates, nothing logs. */

typedef char FdPath[32];
/* "/proc/self/fd/N": how mount(2) reaches what an fd names. */
const char *fd_path(FdPath buf, int fd);
/* openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS): a symlink in an image cannot lead outside the root. */
int open_in_root(int root_fd, const char *rel, int flags);
/* Makes every missing directory of rel below root_fd (resolved in that root, never outside it), owned by uid, and
 * returns an O_PATH fd to the last one (an empty file instead with make_file). */
int mkdir_p_in_root(int root_fd, const char *rel, mode_t mode, uid_t uid, bool make_file);
/* mount(2) onto a directory (or file, with file) of the root, made when missing. */
int mount_in_root(int root_fd, const char *rel, const char *src, const char *fstype, unsigned long flags,
                  const char *data, uid_t uid, bool file);
/* MS_REMOUNT | MS_BIND | flags on what is mounted at rel. */
int remount_in_root(int root_fd, const char *rel, unsigned long flags);
/* "mode=MODE,uid=UID,gid=UID" */
void tmpfs_options(char *buf, size_t size, const char *mode, uid_t uid);
