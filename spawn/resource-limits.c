/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resource-limits.h"
#include "strutil.h"

/* Defaults in the spirit of systemd-nspawn's (src/shared/mount-util.h there): without them each of these tmpfs
 * mounts could take half of the host's RAM (tmpfs' own default), five of them per container, and inodes without
 * end (a tmpfs inode costs kernel memory that no size= counts). A share of RAM scales with the host; the inode
 * limits are about what the size allows at 4 KiB per file. The page cache of a tmpfs is charged to the writer's
 * memory cgroup, so a unit's MemoryMax= bounds the sum too; these bound each mount where nothing else does. */
static const struct {
        const char *path, *size, *nr_inodes;
} defaults[_TMPFS_LIMIT_MAX] = {
        /* the root holds what the system writes outside /run and /tmp (/etc, /var, the journal): the largest */
        [TMPFS_LIMIT_ROOT] = { "/", "25%", "1m" },
        /* systemd's own /run limit: enough for PID 1 to re-execute on a 256 MiB machine */
        [TMPFS_LIMIT_RUN] = { "/run", "20%", "800k" },
        /* systemd's limit for the tmpfs mounts of its nested guests */
        [TMPFS_LIMIT_TMP] = { "/tmp", "10%", "400k" },
        /* device nodes and symlinks only (ours are binds): a few MiB, as systemd's private /dev */
        [TMPFS_LIMIT_DEV] = { "/dev", "4m", "64k" },
        [TMPFS_LIMIT_DEV_SHM] = { "/dev/shm", "10%", "400k" },
        /* a --tmpfs that says nothing: as /tmp */
        [TMPFS_LIMIT_USER] = { NULL, "10%", "400k" },
};

TmpfsLimitId tmpfs_limit_from_path(const char *path) {
        for (TmpfsLimitId id = 0; id < _TMPFS_LIMIT_MAX; id++)
                if (defaults[id].path && path && streq(defaults[id].path, path))
                        return id;
        return TMPFS_LIMIT_NONE;
}

void tmpfs_limit_get(const Settings *s, TmpfsLimitId id, const char **ret_size, const char **ret_nr_inodes) {
        *ret_size = s->tmpfs_limits[id].size ?: defaults[id].size;
        *ret_nr_inodes = s->tmpfs_limits[id].nr_inodes ?: defaults[id].nr_inodes;
}

void tmpfs_limit_append(const Settings *s, TmpfsLimitId id, char *buf, size_t bufsize) {
        const char *size, *nr_inodes;
        size_t n = strlen(buf);

        if (id <= TMPFS_LIMIT_NONE || id >= _TMPFS_LIMIT_MAX || n >= bufsize)
                return;
        tmpfs_limit_get(s, id, &size, &nr_inodes);
        /* (values checked by tmpfs_amount_is_valid(): at most 20 characters each) */
        snprintf(buf + n, bufsize - n, "%ssize=%s,nr_inodes=%s", n > 0 ? "," : "", size, nr_inodes);
}

int settings_set_tmpfs_limits(Settings *s, const char *spec) {
        _cleanup_free_ char *path = NULL, *opts = NULL, *size = NULL, *nr_inodes = NULL;
        const char *colon = strchr(spec, ':');
        TmpfsLimitId id;

        if (!colon || !colon[1])
                return -EINVAL;
        path = strndup(spec, colon - spec);
        opts = strdup(colon + 1);
        if (!path || !opts)
                return -ENOMEM;
        id = tmpfs_limit_from_path(path);
        if (id == TMPFS_LIMIT_NONE)
                return -EINVAL;
        for (char *o = opts, *next; o; o = next) {
                char *v = strchr(o, '=');
                bool is_size;

                next = strchr(o, ',');
                if (next)
                        *next++ = 0;
                if (!v)
                        return -EINVAL;
                *v++ = 0;
                is_size = streq(o, "size");
                if ((!is_size && !streq(o, "nr_inodes")) || !tmpfs_amount_is_valid(v, is_size))
                        return -EINVAL;
                if (free_and_strdup(is_size ? &size : &nr_inodes, v) < 0)
                        return -ENOMEM;
        }
        /* what is not given keeps what an earlier --tmpfs-limits= of the same path said */
        if (size) {
                free(s->tmpfs_limits[id].size);
                s->tmpfs_limits[id].size = TAKE_PTR(size);
        }
        if (nr_inodes) {
                free(s->tmpfs_limits[id].nr_inodes);
                s->tmpfs_limits[id].nr_inodes = TAKE_PTR(nr_inodes);
        }
        return 0;
}

int parse_tasks_max(const char *v, uint64_t *ret) {
        unsigned long long n;

        if (streq(v, "infinity")) {
                *ret = TASKS_MAX_INFINITY;
                return 0;
        }
        /* 0 would keep PID 1 from ever forking: never what was meant */
        if (!v[0] || strspn(v, "0123456789") != strlen(v) || safe_atollu(v, &n) < 0 || n == 0 ||
            n >= TASKS_MAX_INFINITY)
                return -EINVAL;
        *ret = n;
        return 0;
}

uint64_t tasks_max_for(const Settings *s, bool under_systemd_unit) {
        if (s->tasks_max_set)
                return s->tasks_max;
        return under_systemd_unit ? TASKS_MAX_INFINITY : TASKS_MAX_DEFAULT;
}
