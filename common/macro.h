/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))
#define _noreturn_ __attribute__((noreturn))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _pure_ __attribute__((pure))

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))
#define STRLEN(s) (sizeof(s) - 1)
#define MIN(a, b) ((a) < (b) ? (a) : (b))

/* Move ownership out of a variable that has a cleanup attribute. */
#define TAKE_PTR(p)                              \
        ({                                       \
                __typeof__(p) _ptr_ = (p);       \
                (p) = NULL;                      \
                _ptr_;                           \
        })
#define TAKE_FD(fd)                              \
        ({                                       \
                int _fd_ = (fd);                 \
                (fd) = -EBADF;                   \
                _fd_;                            \
        })

static inline void freep(void *p) {
        free(*(void **) p);
}
#define _cleanup_free_ _cleanup_(freep)

/* Closes and keeps errno, so it can run on error paths. */
static inline int safe_close(int fd) {
        if (fd >= 0) {
                int saved = errno;
                (void) close(fd);
                errno = saved;
        }
        return -EBADF;
}
static inline void closep(int *fd) {
        safe_close(*fd);
}
#define _cleanup_close_ _cleanup_(closep)

static inline void fclosep(FILE **f) {
        if (*f) {
                int saved = errno;
                (void) fclose(*f);
                errno = saved;
        }
}
#define _cleanup_fclose_ _cleanup_(fclosep)

static inline void strv_freep(char ***l) {
        if (*l)
                for (char **i = *l; *i; i++)
                        free(*i);
        free(*l);
        *l = NULL;      /* safe to call twice, as release_setup() then container_done() do */
}
#define _cleanup_strv_free_ _cleanup_(strv_freep)

/* Returns -errno of the last failed libc call, never 0, so callers can return it as an error. */
static inline int negative_errno(void) {
        return errno > 0 ? -errno : -EIO;
}

#define RET_NERRNO(expr)                         \
        ({                                       \
                int _r_ = (expr);                \
                _r_ < 0 ? negative_errno() : _r_; \
        })
