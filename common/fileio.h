/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <sys/types.h>

/* Writes the whole buffer in one write(2): kernel files like uid_map must get it in one piece. */
int write_all_at(int dirfd, const char *path, const char *data, size_t len);
int write_string_at(int dirfd, const char *path, const char *s);
/* Writes all of it, through short writes, EINTR and (for non-blocking fds) EAGAIN. */
int write_all(int fd, const void *data, size_t len);
/* Creates or replaces path with text, atomically (a temporary file renamed over it), mode for a new file. */
int write_file_atomic(const char *path, const char *text, mode_t mode);
/* Opens path read-only if it is a regular file (after symlinks), else -EISDIR or -EBADFD: a FIFO would block the
 * open or the first read forever, a device may act on being opened. The type is checked on an O_PATH fd, which
 * opens nothing, and the same inode is then reopened through /proc/self/fd, so a swap in between changes nothing. */
int open_regular(const char *path, int *ret_fd);
/* What open_regular() refused, for messages: "a directory", "a FIFO", "a socket", "a device"… */
const char *file_type_name(const char *path);
/* Reads to EOF, or until max bytes were read (returns 1 then, 0 at EOF); the result is NUL-terminated. Memory it
 * lets go of on the way is wiped first (the one read-to-EOF loop: files, pipes, secrets). */
int read_full_fd(int fd, size_t max, char **ret, size_t *ret_size);
#define READ_FULL_MAX (64U * 1024U * 1024U)
/* Reads a whole regular file (open_regular()) of at most READ_FULL_MAX bytes (-EFBIG if larger). */
int read_full_file(const char *path, char **ret, size_t *ret_size);
/* Creates name (never an existing file, never through a symlink) with data, then gives it to owner (unless
 * (uid_t) -1) and mode. No allocation: the children use it between clone() and exec(). */
int write_file_at(int dirfd, const char *name, const void *data, size_t len, mode_t mode, uid_t owner);
int mkdir_p(const char *path, mode_t mode);
