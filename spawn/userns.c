/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "lockfile.h"
#include "log.h"
#include "nss-direct.h"
#include "process.h"
#include "strutil.h"
#include "siphash.h"
#include "syscalls.h"
#include "userns.h"

/* Fixed key: the hash only needs to be stable and spread names evenly, not secret. */
static const uint8_t uid_hash_key[16] = { 0x6e, 0x69, 0x78, 0x6f, 0x73, 0x2d, 0x6e, 0x73,
                                          0x70, 0x61, 0x77, 0x6e, 0x2d, 0x75, 0x69, 0x64 };

#define UID_POOL_SLOTS ((UID_POOL_MAX - UID_POOL_MIN) / UID_RANGE_STEP)
#define UID_RANGE_STEP 0x10000U

uid_t uid_range_candidate_for_name(const char *name) {
        uint64_t h = siphash24(name, strlen(name), uid_hash_key);

        return UID_POOL_MIN + (uid_t) (h % UID_POOL_SLOTS) * UID_RANGE_STEP;
}

bool range_in_use_by_nss(uid_t base, uint32_t size) {
        char who[128];

        return uid_range_nss_conflict(base, size, who, sizeof who);
}

static bool nss_scan(uid_t base, uint32_t size, char *ret_who, size_t who_size) {
        uint64_t end = (uint64_t) base + size;
        struct passwd *pw;
        struct group *gr;
        bool found = false;

        setpwent();
        while (!found && (pw = getpwent()))
                if (pw->pw_uid >= base && pw->pw_uid < end) {
                        snprintf(ret_who, who_size, "user '%s' (UID %u)", pw->pw_name, (unsigned) pw->pw_uid);
                        found = true;
                }
        endpwent();
        setgrent();
        while (!found && (gr = getgrent()))
                if (gr->gr_gid >= base && gr->gr_gid < end) {
                        snprintf(ret_who, who_size, "group '%s' (GID %u)", gr->gr_name, (unsigned) gr->gr_gid);
                        found = true;
                }
        endgrent();
        return found;
}

/* The enumeration runs in a short-lived child: NSS loads its modules (libnss_systemd with libcap and libm, or
 * whatever nsswitch.conf names) into the process that asks and glibc never unloads them, and the process that asks
 * is the monitor that stays for the container's life. The child writes the owner's description, or nothing. When
 * the child cannot be made or dies, the scan runs here: a wrong "free" answer is worse than a bigger monitor. */
typedef struct NssQuery {
        uid_t base;
        uint32_t size;
} NssQuery;

/* In the child: the owner's description on stdout and exit 1, or exit 0 when the range is free. */
static int nss_scan_child(void *userdata) {
        const NssQuery *q = userdata;
        char who[256];

        if (!nss_scan(q->base, q->size, who, sizeof who))
                return 0;
        return write_all(STDOUT_FILENO, who, strlen(who)) < 0 ? EXIT_FAILURE + 1 : 1;
}

bool uid_range_nss_conflict_forked(uid_t base, uint32_t size, char *ret_who, size_t who_size) {
        _cleanup_free_ char *who = NULL;
        NssQuery q = { .base = base, .size = size };
        int r;

        r = process_call(nss_scan_child, &q, NULL, 0, &who);
        if (r < 0 || r > 1 || (r == 1 && isempty(who)))
                return nss_scan(base, size, ret_who, who_size);
        if (r == 0)
                return false;
        snprintf(ret_who, who_size, "%s", who);
        return true;
}

bool uid_range_nss_conflict(uid_t base, uint32_t size, char *ret_who, size_t who_size) {
        int r = nss_direct_conflict(base, size, ret_who, who_size);

        return r >= 0 ? r > 0 : uid_range_nss_conflict_forked(base, size, ret_who, who_size);
}

static uid_t random_candidate(void) {
        uint64_t r = 0;

        if (getrandom(&r, sizeof r, GRND_NONBLOCK) != sizeof r)
                r = (uint64_t) random() << 32 | (uint64_t) random();
        return UID_POOL_MIN + (uid_t) (r % UID_POOL_SLOTS) * UID_RANGE_STEP;
}

void uid_range_release(UidRange *r) {
        for (size_t i = 0; i < ELEMENTSOF(r->lock_fds); i++) {
                r->lock_fds[i] = unlock_file(r->lock_paths[i], r->lock_fds[i]);
                free(r->lock_paths[i]);
                r->lock_paths[i] = NULL;
        }
}

int uid_range_take(uid_t base, uint32_t size, const char *const *lock_dirs, size_t n_lock_dirs, RangeInUseFn range_in_use,
                   UidRange *ret) {
        UidRange range = UID_RANGE_NULL;
        int r;

        if (n_lock_dirs > ELEMENTSOF(range.lock_fds))
                return -E2BIG;
        /* the whole range, not its ends: a user in the middle of it would share files with the container */
        if (range_in_use && range_in_use(base, size))
                return -EBUSY;

        for (size_t i = 0; i < n_lock_dirs; i++) {
                r = mkdir_p(lock_dirs[i], 0755);
                if (r < 0)
                        goto fail;
                range.lock_paths[i] = strprintf("%s/%u", lock_dirs[i], (unsigned) base);
                if (!range.lock_paths[i]) {
                        r = -ENOMEM;
                        goto fail;
                }
                r = lock_file(range.lock_paths[i], &range.lock_fds[i]);
                if (r == -EWOULDBLOCK)
                        r = -EBUSY;
                if (r < 0) {
                        free(range.lock_paths[i]); /* not ours: must not be unlinked */
                        range.lock_paths[i] = NULL;
                        goto fail;
                }
        }
        range.base = base;
        range.size = size;
        *ret = range;
        return 0;
fail:
        uid_range_release(&range);
        return r;
}

int uid_range_pick(const char *name, const char *const *lock_dirs, size_t n_lock_dirs, RangeInUseFn range_in_use,
                   UidRange *ret) {
        uid_t candidate = uid_range_candidate_for_name(name);
        int r;

        /* Only our own directory: stale files there are ours to remove (nspawn's are nspawn's business). */
        if (n_lock_dirs > 0)
                lock_dir_sweep(lock_dirs[0]);

        for (unsigned try = 0; try < UID_PICK_TRIES; try++) {
                r = uid_range_take(candidate, UID_RANGE_STEP, lock_dirs, n_lock_dirs, range_in_use, ret);
                if (r != -EBUSY)
                        return r;
                log_debug("UID range %u is taken, trying another.", (unsigned) candidate);
                candidate = random_candidate();
        }
        return -EBUSY;
}

int userns_make(uid_t base, uint32_t size, int *ret_fd) {
        return userns_make_mapped(0, base, size, ret_fd);
}

/* A short-lived helper in a new user namespace: we write its maps and keep an fd to the namespace. */
int userns_make_mapped(uid_t inside, uid_t base, uint32_t size, int *ret_fd) {
        _cleanup_close_ int nsfd = -EBADF;
        ForkSpec spec = FORK_SPEC_INIT;
        int report = -EBADF, r;
        char path[64], map[64];
        pid_t pid;

        spec.clone_flags = CLONE_NEWUSER;
        pid = process_fork(&spec, &report);
        if (pid < 0)
                return pid;
        if (pid == 0) {
                Report m;

                /* EOF when the parent is done with us (it closes its end) */
                _exit(report_recv(report, &m) < 0);
        }

        snprintf(map, sizeof map, "%u %u %u\n", (unsigned) inside, (unsigned) base, (unsigned) size);
        snprintf(path, sizeof path, "/proc/%d/uid_map", (int) pid);
        r = write_string_at(AT_FDCWD, path, map);
        if (r >= 0) {
                snprintf(path, sizeof path, "/proc/%d/gid_map", (int) pid);
                r = write_string_at(AT_FDCWD, path, map);
        }
        if (r >= 0) {
                snprintf(path, sizeof path, "/proc/%d/ns/user", (int) pid);
                nsfd = open(path, O_RDONLY | O_CLOEXEC);
                if (nsfd < 0)
                        r = -errno;
        }
        report = safe_close(report); /* the child's EOF: it ends */
        (void) process_reap(pid);
        if (r < 0)
                return r;
        *ret_fd = TAKE_FD(nsfd);
        return 0;
}
