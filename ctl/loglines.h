/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

#include "logfile.h"

/* What the launcher writes — the container's console among it — goes into NAME.log, which an admin reads with cat
 * or tail -f: root inside could write escape sequences for their terminal there (retitle it, clear it, move the
 * cursor). So the supervisor writes it line by line, escaped as our own messages are (escape.h; a CR before the
 * LF is dropped: a terminal's line end, not a byte worth showing). Under systemd the journal holds it instead,
 * and journalctl shows control bytes as blob data. */
typedef struct LogLines {
        size_t len; /* of a line not ended yet */
        char buf[1024];
} LogLines;

/* n bytes of output: every line they end is written to lf, escaped; the rest waits for its end. A line longer than
 * the buffer is written in pieces. */
void log_lines_feed(LogLines *l, LogFile *lf, const char *data, size_t n);
/* Writes what is left of a line (its writer is gone). */
void log_lines_flush(LogLines *l, LogFile *lf);
