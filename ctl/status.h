/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "enter.h"

/* What `status` shows of a running container, each line indented by two spaces: its addresses (escaped: root
 * inside names the interfaces), the memory and tasks of its machine cgroup (what its limits bind), and how long
 * its PID 1 has run. What cannot be read is left out. */
void status_show_running(const Leader *l);
/* "1h 2min", "3min 4s", "5s" for secs; "1.5G", "12.3M", "512K" for bytes. */
void format_timespan(char *buf, size_t size, unsigned long long secs);
void format_bytes(char *buf, size_t size, unsigned long long bytes);
