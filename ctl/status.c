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

int running_info(const Leader *l, RunningInfo *ret) {
        _cleanup_free_ char *cgroup = NULL;
        RunningInfo info = {};

        if (enter_addresses(l, &info.addresses) < 0)
                info.addresses = NULL;
        if (enter_cgroup_machine(l->pid, &cgroup) >= 0) {
                info.has_memory = read_u64(cgroup, "memory.current", &info.memory) >= 0;
                info.has_memory_max = read_u64(cgroup, "memory.max", &info.memory_max) >= 0;
                info.has_tasks = read_u64(cgroup, "pids.current", &info.tasks) >= 0;
                info.has_tasks_max = read_u64(cgroup, "pids.max", &info.tasks_max) >= 0;
        }
        info.has_uptime = process_age(l->pid, &info.uptime) >= 0;
        *ret = info;
        return 0;
}

void running_info_done(RunningInfo *i) {
        free(i->addresses);
        i->addresses = NULL;
}

void status_show_running(const Leader *l) {
        RunningInfo info;
        char a[32], b[32];

        (void) running_info(l, &info);
        for (char *line = info.addresses, *end; line && *line; line = end) {
                end = line + strcspn(line, "\n");
                printf("  address: %.*s\n", (int) (end - line), line); /* escaped by enter_addresses() */
                if (*end)
                        end++;
        }
        if (info.has_memory) {
                format_bytes(a, sizeof a, info.memory);
                format_bytes(b, sizeof b, info.memory_max);
                printf("  memory: %s%s%s%s\n", a, info.has_memory_max ? " (max " : "", info.has_memory_max ? b : "",
                       info.has_memory_max ? ")" : "");
        }
        if (info.has_tasks && info.has_tasks_max)
                printf("  tasks:  %llu (max %llu)\n", info.tasks, info.tasks_max);
        else if (info.has_tasks)
                printf("  tasks:  %llu\n", info.tasks);
        if (info.has_uptime) {
                format_timespan(a, sizeof a, info.uptime);
                printf("  uptime: %s\n", a);
        }
        running_info_done(&info);
}
