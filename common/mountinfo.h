/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Finds the first mount of file system type fstype in the text of a /proc/PID/mountinfo and returns its mount
 * point, unescaped (the kernel writes space, tab, newline and backslash as \ooo). -ENOENT if there is none,
 * -EINVAL on a line that is not mountinfo. The one thing the launcher asked libmount for; parsing it here spares
 * every start loading libmount, libblkid, libselinux and libpcre2. */
int mountinfo_find_fstype(const char *text, const char *fstype, char **ret_target);
/* Finds the first mount whose mount point is dir or below it (dir: an absolute path without a trailing '/') and
 * returns that mount point, unescaped. -ENOENT if there is none, -EINVAL on a line that is not mountinfo. */
int mountinfo_find_below(const char *text, const char *dir, char **ret_target);
/* Finds the first cgroup v1 mount (fstype "cgroup") whose super options name controller ("pids") and returns its
 * mount point, unescaped. -ENOENT if there is none (a cgroup2-only host, or the controller is not bound to v1). */
int mountinfo_find_cgroup1(const char *text, const char *controller, char **ret_target);
