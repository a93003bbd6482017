/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "console.h"
#include "fileio.h"
#include "macro.h"

#define ESCAPE_CHAR 0x1d /* ^] */

int console_open(Console *c, ConsoleMode mode, uid_t uid) {
        *c = (Console) CONSOLE_NULL;
        c->mode = mode;
        if (mode == CONSOLE_PIPE)
                return 0;

        c->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
        if (c->master < 0)
                return -errno;
        if (grantpt(c->master) < 0 || unlockpt(c->master) < 0 ||
            ptsname_r(c->master, c->slave_path, sizeof c->slave_path) != 0)
                goto fail;
        c->slave = open(c->slave_path, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (c->slave < 0)
                goto fail;
        /* The container's root must be able to open its console: in a user namespace host root is nobody. */
        if (fchown(c->slave, uid, uid + 5) < 0 || fchmod(c->slave, 0620) < 0)
                goto fail;
        return 0;
fail:;
        int r = negative_errno();
        console_close(c);
        return r;
}

void console_close(Console *c) {
        if (c->stdin_raw)
                (void) tcsetattr(STDIN_FILENO, TCSANOW, &c->saved);
        c->stdin_raw = false;
        c->master = safe_close(c->master);
        c->slave = safe_close(c->slave);
}

void console_resize(Console *c) {
        struct winsize ws;

        if (c->master >= 0 && ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) >= 0)
                (void) ioctl(c->master, TIOCSWINSZ, &ws);
}

int console_start(Console *c) {
        struct termios raw;

        if (c->master < 0)
                return 0;
        console_resize(c);
        if (c->mode != CONSOLE_INTERACTIVE || !isatty(STDIN_FILENO))
                return 0;
        if (tcgetattr(STDIN_FILENO, &c->saved) < 0)
                return -errno;
        raw = c->saved;
        cfmakeraw(&raw);
        raw.c_oflag |= OPOST | ONLCR; /* keep our own output readable */
        if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) < 0)
                return -errno;
        c->stdin_raw = true;
        return 0;
}

int console_pump_output(Console *c) {
        char buf[16384];
        ssize_t n;

        if (c->master < 0)
                return 0;
        n = read(c->master, buf, sizeof buf);
        if (n < 0)
                return errno == EAGAIN || errno == EINTR || errno == EIO ? 0 : -errno;
        if (n > 0 && c->mode != CONSOLE_PASSIVE)
                (void) write_all(STDOUT_FILENO, buf, (size_t) n);
        return n > 0;
}

static unsigned long long now_usec(void) {
        struct timespec t;

        clock_gettime(CLOCK_MONOTONIC, &t);
        return (unsigned long long) t.tv_sec * 1000000ULL + (unsigned long long) t.tv_nsec / 1000ULL;
}

int console_pump_input(Console *c) {
        char buf[4096];
        ssize_t n;

        n = read(STDIN_FILENO, buf, sizeof buf);
        if (n <= 0) {
                if (n == 0 || (errno != EAGAIN && errno != EINTR))
                        c->stdin_eof = true;
                return 0;
        }
        for (ssize_t i = 0; i < n; i++) {
                if (buf[i] != ESCAPE_CHAR) {
                        c->escape_count = 0;
                        continue;
                }
                if (c->escape_count == 0 || now_usec() - c->escape_start_usec > 1000000ULL) {
                        c->escape_count = 0;
                        c->escape_start_usec = now_usec();
                }
                if (++c->escape_count >= 3)
                        return 1;
        }
        (void) write_all(c->master, buf, (size_t) n);
        return 0;
}
