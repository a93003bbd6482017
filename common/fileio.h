/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <sys/types.h>

/* Writes the whole buffer in one write(2): kernel files like uid_map must get it in one piece. */
int write_all_at(int dirfd, const char *path, const char *data, size_t len);
int write_string_at(int dirfd, const char *path, const char *s);
/* Writes all of it, through short writes, EINTR and (for non-blocking fds) EAGAIN. */
int write_all(int fd, const void *data, size_t len);
/* Reads a whole (small) file; the result is NUL-terminated. */
int read_full_file(const char *path, char **ret, size_t *ret_size);
int mkdir_p(const char *path, mode_t mode);
