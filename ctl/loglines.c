/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "escape.h"
#include "loglines.h"

static void write_line(LogFile *lf, const char *s, size_t n) {
        char out[4 * sizeof ((LogLines *) NULL)->buf + 2];
        size_t k;

        if (n > 0 && s[n - 1] == '\r')
                n--;
        k = escape_line(s, n, out, sizeof out - 1);
        out[k++] = '\n';
        (void) log_file_write(lf, out, k);
}

void log_lines_feed(LogLines *l, LogFile *lf, const char *data, size_t n) {
        while (n > 0) {
                size_t k = sizeof l->buf - l->len < n ? sizeof l->buf - l->len : n;
                char *nl;

                memcpy(l->buf + l->len, data, k);
                l->len += k;
                data += k;
                n -= k;
                while ((nl = memchr(l->buf, '\n', l->len))) {
                        size_t line = (size_t) (nl - l->buf);

                        write_line(lf, l->buf, line);
                        memmove(l->buf, nl + 1, l->len - line - 1);
                        l->len -= line + 1;
                }
                if (l->len == sizeof l->buf) /* no line end in sight: what we have, as a line of its own */
                        log_lines_flush(l, lf);
        }
}

void log_lines_flush(LogLines *l, LogFile *lf) {
        if (l->len > 0)
                write_line(lf, l->buf, l->len);
        l->len = 0;
}
