/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "macro.h"
#include "strutil.h"

int write_all_at(int dirfd, const char *path, const char *data, size_t len) {
        _cleanup_close_ int fd = -EBADF;
        ssize_t n;

        fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        n = write(fd, data, len);
        if (n < 0)
                return -errno;
        if ((size_t) n != len)
                return -EIO;
        return 0;
}

int write_all(int fd, const void *data, size_t len) {
        const char *p = data;

        while (len > 0) {
                ssize_t n = write(fd, p, len);

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN) {
                                (void) poll(&(struct pollfd) { .fd = fd, .events = POLLOUT }, 1, -1);
                                continue;
                        }
                        return -errno;
                }
                p += n;
                len -= (size_t) n;
        }
        return 0;
}

int write_string_at(int dirfd, const char *path, const char *s) {
        return write_all_at(dirfd, path, s, strlen(s));
}

int open_regular(const char *path, int *ret_fd) {
        _cleanup_close_ int pfd = -EBADF;
        char proc[64];
        struct stat st;
        int fd;

        pfd = open(path, O_PATH | O_CLOEXEC);
        if (pfd < 0)
                return -errno;
        if (fstat(pfd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return S_ISDIR(st.st_mode) ? -EISDIR : -EBADFD;
        snprintf(proc, sizeof proc, "/proc/self/fd/%d", pfd);
        fd = open(proc, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        *ret_fd = fd;
        return 0;
}

const char *file_type_name(const char *path) {
        struct stat st;

        if (stat(path, &st) < 0)
                return "missing";
        switch (st.st_mode & S_IFMT) {
        case S_IFREG:
                return "a regular file";
        case S_IFDIR:
                return "a directory";
        case S_IFIFO:
                return "a FIFO";
        case S_IFSOCK:
                return "a socket";
        case S_IFCHR:
                return "a character device";
        case S_IFBLK:
                return "a block device";
        default:
                return "not a regular file";
        }
}

/* Grows buf to at least want bytes. A fresh buffer instead of realloc(), and the old one wiped: what we read may
 * be a secret (a credential), and must not linger in freed memory. */
static int grow(char **buf, size_t *alloc, size_t used, size_t want) {
        size_t n = *alloc;
        char *b;

        while (n < want)
                n = n < 4096 ? 4096 : n * 2;
        b = malloc(n);
        if (!b)
                return -ENOMEM;
        if (*buf) {
                memcpy(b, *buf, used);
                explicit_bzero(*buf, *alloc);
                free(*buf);
        }
        *buf = b;
        *alloc = n;
        return 0;
}

int read_full_fd(int fd, size_t max, char **ret, size_t *ret_size) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 0, alloc = 0;
        struct stat st;
        int r;

        /* a regular file is read into a buffer of its size (+ room to see EOF): one allocation, nothing copied */
        r = grow(&buf, &alloc, 0,
                 fstat(fd, &st) >= 0 && S_ISREG(st.st_mode) && (size_t) st.st_size < max ? (size_t) st.st_size + 2
                                                                                          : 4096);
        if (r < 0)
                return r;
        while (size < max) {
                ssize_t n;

                if (alloc - size < 2) {
                        r = grow(&buf, &alloc, size, alloc + 1);
                        if (r < 0)
                                return r;
                }
                n = read(fd, buf + size, MIN(alloc - size - 1, max - size));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        break;
                size += (size_t) n;
        }
        buf[size] = 0;
        *ret = TAKE_PTR(buf);
        if (ret_size)
                *ret_size = size;
        return size >= max;
}

int read_full_file(const char *path, char **ret, size_t *ret_size) {
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *buf = NULL;
        int r;

        r = open_regular(path, &fd);
        if (r < 0)
                return r;
        r = read_full_fd(fd, READ_FULL_MAX, &buf, ret_size);
        if (r < 0)
                return r;
        if (r > 0)
                return -EFBIG;
        *ret = TAKE_PTR(buf);
        return 0;
}

int write_file_at(int dirfd, const char *name, const void *data, size_t len, mode_t mode, uid_t owner) {
        _cleanup_close_ int fd = -EBADF;
        int r;

        fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW, mode);
        if (fd < 0)
                return -errno;
        r = write_all(fd, data, len);
        if (r < 0)
                return r;
        if (owner != (uid_t) -1 && fchown(fd, owner, owner) < 0)
                return -errno;
        /* whatever the umask */
        if (fchmod(fd, mode) < 0)
                return -errno;
        return 0;
}

int mkdir_p(const char *path, mode_t mode) {
        _cleanup_free_ char *p = NULL;

        /* Mostly it is there, or only its last component is missing: one call then, not one per component (a
         * start asked for /run/nixos-nspawn/... a dozen times, 25 mkdir() calls that all failed with EEXIST). */
        if (mkdir(path, mode) >= 0 || errno == EEXIST)
                return 0;
        p = strdup(path);
        if (!p)
                return -ENOMEM;
        for (char *s = p + 1; *s; s++) {
                if (*s != '/')
                        continue;
                *s = 0;
                if (mkdir(p, mode) < 0 && errno != EEXIST)
                        return -errno;
                *s = '/';
        }
        if (mkdir(p, mode) < 0 && errno != EEXIST)
                return -errno;
        return 0;
}

int write_file_atomic(const char *path, const char *text, mode_t mode) {
        _cleanup_free_ char *tmp = strprintf("%s.tmp.%d", path, (int) getpid());
        _cleanup_close_ int fd = -EBADF;
        int r;

        if (!tmp)
                return -ENOMEM;
        fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
        if (fd < 0)
                return -errno;
        r = write_all(fd, text, strlen(text));
        if (r >= 0 && fsync(fd) < 0)
                r = -errno;
        if (r >= 0 && rename(tmp, path) < 0)
                r = -errno;
        if (r < 0)
                (void) unlink(tmp);
        return r;
}
