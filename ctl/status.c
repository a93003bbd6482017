/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "enter-cgroup.h"
#include "fileio.h"
#include "status.h"
#include "strutil.h"

void format_timespan(char *buf, size_t size, unsigned long long secs) {
        unsigned long long d = secs / 86400, h = secs / 3600 % 24, m = secs / 60 % 60, s = secs % 60;

        if (d > 0)
                snprintf(buf, size, "%llud %lluh", d, h);
        else if (h > 0)
                snprintf(buf, size, "%lluh %llumin", h, m);
        else if (m > 0)
                snprintf(buf, size, "%llumin %llus", m, s);
        else
                snprintf(buf, size, "%llus", s);
}

void format_bytes(char *buf, size_t size, unsigned long long bytes) {
        static const char units[] = "KMGT";
        double v = (double) bytes;
        int i = -1;

        while (v >= 1024 && i < 3) {
                v /= 1024;
                i++;
        }
        if (i < 0)
                snprintf(buf, size, "%lluB", bytes);
        else
                snprintf(buf, size, "%.1f%c", v, units[i]);
}

static int read_u64(const char *dir, const char *file, unsigned long long *ret) {
        _cleanup_free_ char *path = strprintf("%s/%s", dir, file), *text = NULL;

        if (!path)
                return -ENOMEM;
        if (read_full_file(path, &text, NULL) < 0 || sscanf(text, "%llu", ret) != 1)
                return -ENOENT;
        return 0;
}

/* Seconds since pid started: its start time (field 22 of /proc/PID/stat, in clock ticks after boot) against the
 * system's uptime. The command name (field 2) is the container's to choose: the fields after its last ')'. */
static int process_age(pid_t pid, unsigned long long *ret) {
        _cleanup_free_ char *path = strprintf("/proc/%d/stat", (int) pid), *stat = NULL, *up = NULL;
        unsigned long long start;
        double uptime;
        long hz = sysconf(_SC_CLK_TCK);
        const char *p;

        if (!path)
                return -ENOMEM;
        if (read_full_file(path, &stat, NULL) < 0 || read_full_file("/proc/uptime", &up, NULL) < 0 || hz <= 0)
                return -ENOENT;
        p = strrchr(stat, ')');
        /* after ')': state (3), then fields 4..21, then starttime (22) */
        if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
                         &start) != 1 || sscanf(up, "%lf", &uptime) != 1)
                return -EIO;
        *ret = uptime > (double) start / hz ? (unsigned long long) (uptime - (double) start / hz) : 0;
        return 0;
}

void status_show_running(const Leader *l) {
        _cleanup_free_ char *addresses = NULL, *cgroup = NULL;
        unsigned long long v, max;
        char a[32], b[32];

        if (enter_addresses(l, &addresses) >= 0)
                for (char *line = addresses, *end; *line; line = end) {
                        end = line + strcspn(line, "\n");
                        if (*end)
                                *end++ = 0;
                        printf("  address: %s\n", line); /* escaped by enter_addresses() */
                }
        if (enter_cgroup_machine(l->pid, &cgroup) >= 0) {
                if (read_u64(cgroup, "memory.current", &v) >= 0) {
                        format_bytes(a, sizeof a, v);
                        if (read_u64(cgroup, "memory.max", &max) >= 0) {
                                format_bytes(b, sizeof b, max);
                                printf("  memory: %s (max %s)\n", a, b);
                        } else
                                printf("  memory: %s\n", a);
                }
                if (read_u64(cgroup, "pids.current", &v) >= 0) {
                        if (read_u64(cgroup, "pids.max", &max) >= 0)
                                printf("  tasks:  %llu (max %llu)\n", v, max);
                        else
                                printf("  tasks:  %llu\n", v);
                }
        }
        if (process_age(l->pid, &v) >= 0) {
                format_timespan(a, sizeof a, v);
                printf("  uptime: %s\n", a);
        }
}
