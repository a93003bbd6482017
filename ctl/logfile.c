/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "logfile.h"
#include "macro.h"
#include "strutil.h"

static uint64_t log_max(void) {
        const char *e = getenv("NIXOS_NSPAWNCTL_LOG_MAX");
        unsigned long long v;

        if (e && safe_atollu(e, &v) >= 0 && v >= 4096)
                return v;
        return CONSOLE_LOG_MAX;
}

char *log_file_rotated(const char *path) {
        return strprintf("%s.1", path);
}

static int reopen(LogFile *l) {
        int fd = open(l->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0640);

        if (fd < 0)
                return -errno;
        safe_close(l->fd);
        l->fd = fd;
        /* our own lines (fprintf(stderr)) go where the launcher's go */
        if (dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0)
                return -errno;
        return 0;
}

int log_file_open(LogFile *l, const char *path) {
        *l = (LogFile) { .fd = -EBADF, .path = strdup(path), .max = log_max() };
        if (!l->path)
                return -ENOMEM;
        return reopen(l);
}

int log_file_write(LogFile *l, const void *buf, size_t n) {
        struct stat st;

        /* the size from the file itself: our own lines were appended through stderr meanwhile */
        if (fstat(l->fd, &st) >= 0 && st.st_size > 0 && (uint64_t) st.st_size + n > l->max) {
                _cleanup_free_ char *old = log_file_rotated(l->path);
                int r;

                if (!old)
                        return -ENOMEM;
                if (rename(l->path, old) < 0)
                        return -errno;
                r = reopen(l);
                if (r < 0)
                        return r;
        }
        /* a single write larger than the cap (never: our reads are 64 KiB) is cut there */
        return write_all(l->fd, buf, n > l->max ? (size_t) l->max : n);
}

void log_file_close(LogFile *l) {
        l->fd = safe_close(l->fd);
        free(l->path);
        l->path = NULL;
}
