/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <sys/types.h>

/* Writes the whole buffer in one write(2): kernel files like uid_map must get it in one piece. */
int write_all_at(int dirfd, const char *path, const char *data, size_t len);
int write_string_at(int dirfd, const char *path, const char *s);
/* Writes all of it, through short writes, EINTR and (for non-blocking fds) EAGAIN. */
int write_all(int fd, const void *data, size_t len);
/* Opens path read-only if it is a regular file (after symlinks), else -EISDIR or -EBADFD: a FIFO would block the
 * open or the first read forever, a device may act on being opened. The type is checked on an O_PATH fd, which
 * opens nothing, and the same inode is then reopened through /proc/self/fd, so a swap in between changes nothing. */
int open_regular(const char *path, int *ret_fd);
/* What open_regular() refused, for messages: "a directory", "a FIFO", "a socket", "a device"… */
const char *file_type_name(const char *path);
/* Reads a whole (small) regular file (open_regular()); the result is NUL-terminated. */
int read_full_file(const char *path, char **ret, size_t *ret_size);
int mkdir_p(const char *path, mode_t mode);
