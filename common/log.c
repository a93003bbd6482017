/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "log.h"

static int max_level = LOG_INFO;
static bool with_prefix = false;

void log_set_max_level(int level) {
        max_level = level;
}

/* Under a service manager stderr goes to the journal, which understands "<N>" level prefixes. */
void log_open(void) {
        with_prefix = getenv("JOURNAL_STREAM") || getenv("INVOCATION_ID");
}

int log_internal(int level, int error, const char *file _unused_, int line _unused_, const char *fmt, ...) {
        int saved = errno;
        int e = error < 0 ? -error : error;
        int ret = error < 0 ? error : -error;

        if (level <= max_level) {
                char buf[2048], text[4 * sizeof buf];
                va_list ap;
                int n;

                errno = e; /* for %m */
                va_start(ap, fmt);
                n = vsnprintf(buf, sizeof buf, fmt, ap);
                va_end(ap);
                if (n < 0)
                        n = 0;
                /* Escaped here, once, for every message: the values in it (flags, file lines, paths, other
                 * programs' words) can never end our line or speak to the terminal, whichever call site forgot. */
                if ((size_t) n >= sizeof buf) { /* cut short: say so */
                        n = sizeof buf - 1;
                        memcpy(buf + n - 3, "...", 3);
                }
                escape_line(buf, (size_t) n, text, sizeof text);

                if (with_prefix)
                        fprintf(stderr, "<%d>%s\n", level, text);
                else
                        fprintf(stderr, "%s\n", text);
        }

        errno = saved;
        return ret;
}
