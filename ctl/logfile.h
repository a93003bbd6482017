/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A container's console log (LOG_DIR/NAME.log, written by the supervisor): capped and rotated. Root inside can
 * write to its console as fast as the kernel lets it (20 MB in 0.2 s), and the log lives on the host's disk: once
 * the file would pass its cap it becomes NAME.log.1 (replacing the one before) and a new NAME.log starts. At
 * most twice the cap per container, and the latest output always in NAME.log. */

#include <stddef.h>
#include <stdint.h>

/* Per file; with the one rotated file, 32 MiB per container at most. NIXOS_NSPAWNCTL_LOG_MAX (bytes, at least
 * 4096) changes it, for tests. */
#define CONSOLE_LOG_MAX (16U * 1024U * 1024U)

typedef struct LogFile {
        char *path;
        int fd;
        uint64_t max;
} LogFile;

#define LOG_FILE_NULL { .fd = -EBADF }

/* Opens path for appending (O_NOFOLLOW: the log directory is root's, but a link there is never followed). */
int log_file_open(LogFile *l, const char *path);
/* Appends all of buf, rotating first when the file would pass its cap. Puts the current file on our stdout and
 * stderr too, so that the supervisor's own lines follow the same file. */
int log_file_write(LogFile *l, const void *buf, size_t n);
void log_file_close(LogFile *l);
/* PATH.1 of a log: the caller frees. */
char *log_file_rotated(const char *path);
