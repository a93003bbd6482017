/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
                char buf[2048];
                va_list ap;

                errno = e; /* for %m */
                va_start(ap, fmt);
                vsnprintf(buf, sizeof buf, fmt, ap);
                va_end(ap);

                if (with_prefix)
                        fprintf(stderr, "<%d>%s\n", level, buf);
                else
                        fprintf(stderr, "%s\n", buf);
        }

        errno = saved;
        return ret;
}
