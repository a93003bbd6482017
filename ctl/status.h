/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "enter.h"

/* What `status` shows of a running container, each line indented by two spaces: its addresses (escaped: root
 * inside names the interfaces), the memory and tasks of its machine cgroup (what its limits bind), and how long
 * its PID 1 has run. What cannot be read is left out. */
void status_show_running(const Leader *l);

/* The same, as values (list shows them too). has_* false: not readable (no such controller, PID 1 gone). */
typedef struct RunningInfo {
        char *addresses; /* lines, escaped; NULL when they could not be read */
        bool has_memory, has_memory_max, has_tasks, has_tasks_max, has_uptime;
        unsigned long long memory, memory_max, tasks, tasks_max, uptime;
} RunningInfo;
int running_info(const Leader *l, RunningInfo *ret);
void running_info_done(RunningInfo *i);
/* "1h 2min", "3min 4s", "5s" for secs; "1.5G", "12.3M", "512K" for bytes. */
void format_timespan(char *buf, size_t size, unsigned long long secs);
void format_bytes(char *buf, size_t size, unsigned long long bytes);
