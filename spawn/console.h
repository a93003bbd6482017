/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <sys/types.h>
#include <termios.h>

#include "settings.h"

typedef struct Console {
        ConsoleMode mode;
        int master;        /* -EBADF in pipe mode */
        int slave;         /* held open so the master never sees a hangup between container processes */
        char slave_path[64];
        bool stdin_raw;
        struct termios saved;
        bool stdin_eof;
        unsigned escape_count;
        unsigned long long escape_start_usec;
} Console;

#define CONSOLE_NULL { .master = -EBADF, .slave = -EBADF }

/* Allocates the container's console pty, owned by the container's root (uid) with its tty group (uid + 5). */
int console_open(Console *c, ConsoleMode mode, uid_t uid);
void console_close(Console *c);
/* Interactive mode: makes our terminal raw and copies its size to the pty. */
int console_start(Console *c);
void console_resize(Console *c);
/* Copies pty output to stdout (or drops it, passive). Returns 0 when nothing was left to read. */
int console_pump_output(Console *c);
/* Copies stdin to the pty; returns 1 when ^] was pressed three times within a second (kill request). */
int console_pump_input(Console *c);
