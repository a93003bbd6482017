/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ctl/loglines.c: the launcher's output (the container's console) reaches the supervisor's log line by line,
 * escaped. */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../ctl/logfile.c"
#include "../../ctl/loglines.c"
#include "tap.h"

/* What the log holds after text was fed in pieces of `piece` bytes and its writer went away. */
static char *logged(const char *text, size_t n, size_t piece) {
        static char out[16384];
        LogFile lf = { .fd = memfd_create("log", MFD_CLOEXEC), .max = UINT64_MAX }; /* no rotation: no path */
        LogLines lines = {};
        ssize_t k;

        if (lf.fd < 0)
                return NULL;
        for (size_t off = 0; off < n; off += piece)
                log_lines_feed(&lines, &lf, text + off, n - off < piece ? n - off : piece);
        log_lines_flush(&lines, &lf);
        k = pread(lf.fd, out, sizeof out - 1, 0);
        safe_close(lf.fd);
        out[k < 0 ? 0 : k] = 0;
        return out;
}

int main(void) {
        char long_line[3001];
        char *got;
        size_t xs = 0, lfs = 0;

        is_str(logged("plain\nline two\n", 15, 4), "plain\nline two\n", "plain lines pass unchanged, fed in pieces");
        is_str(logged("\033]0;pwn\007\033[2J x\r\n", 16, 16), "\\x1b]0;pwn\\x07\\x1b[2J x\n",
               "escape sequences are escaped, a CR before the LF dropped");
        is_str(logged("no end", 6, 6), "no end\n", "a last line without LF is written when flushed");
        is_str(logged("a\rb\n", 4, 1), "a\\rb\n", "a CR inside a line is shown");
        memset(long_line, 'x', 3000);
        long_line[3000] = 0;
        got = logged(long_line, 3000, 3000);
        for (char *p = got; p && *p; p++) {
                xs += *p == 'x';
                lfs += *p == '\n';
        }
        ok(got && xs == 3000 && lfs == 3, "a line longer than the buffer comes whole, in pieces of 1024");
        return tap_done();
}
