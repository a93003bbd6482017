/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Claims about spawn/userns.c: the per-name UID range candidate, and picking/taking/releasing ranges under lock
 * files, with the lock directories and the "is this ID in use" question injected. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "macro.h"
#include "strutil.h"
#include "userns.h"
#include "tap.h"

#define STEP 0x10000U

/* RangeInUseFn has no user data: the fake "NSS" is this variable. */
static enum { BUSY_NONE, BUSY_ONE_ID, BUSY_ALL } busy_mode = BUSY_NONE;
static uid_t busy_id;

static bool fake_id_in_use(uid_t base, uint32_t size) {
        switch (busy_mode) {
        case BUSY_ONE_ID:
                return busy_id >= base && busy_id - base < size;
        case BUSY_ALL:
                return true;
        default:
                return false;
        }
}

static bool base_is_in_pool(uid_t base) {
        return base >= UID_POOL_MIN && base < UID_POOL_MAX && (uint64_t) base + STEP <= UID_POOL_MAX &&
               base % STEP == 0;
}

static char *lock_path(const char *dir, uid_t base) {
        char *p = NULL;

        if (asprintf(&p, "%s/%u", dir, (unsigned) base) < 0)
                abort();
        return p;
}

static bool lock_exists(const char *dir, uid_t base) {
        _cleanup_free_ char *p = lock_path(dir, base);

        return access(p, F_OK) == 0;
}

/* Number of entries in dir other than "." and "..", or -1. */
static int count_entries(const char *dir) {
        DIR *d = opendir(dir);
        struct dirent *de;
        int n = 0;

        if (!d)
                return -1;
        while ((de = readdir(d)))
                if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
                        n++;
        closedir(d);
        return n;
}

static void test_candidate(void) {
        static const char *const names[] = { "foo", "bar", "web-1", "nixos", "", "a-very-long-machine-name.example" };
        uid_t foo = uid_range_candidate_for_name("foo");

        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                uid_t a = uid_range_candidate_for_name(names[i]), b = uid_range_candidate_for_name(names[i]);

                is_int(a, b, "candidate for '%s' is stable", names[i]);
                ok(base_is_in_pool(a), "candidate for '%s' (%u) is a 64K-aligned range inside the pool", names[i],
                   (unsigned) a);
        }
        ok(foo != uid_range_candidate_for_name("bar"), "candidates for 'foo' and 'bar' differ");
        ok(foo != uid_range_candidate_for_name("foo2"), "candidates for 'foo' and 'foo2' differ");
        ok(foo != uid_range_candidate_for_name("Foo"), "candidates for 'foo' and 'Foo' differ");
}

/* Holds "<dir>/<base>" the way another nixos-nspawn or systemd-nspawn would: its own open file, flock'ed. */
static int hold_lock(const char *dir, uid_t base, int *ret_fd) {
        _cleanup_free_ char *p = lock_path(dir, base);
        int fd;

        fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0)
                return negative_errno();
        if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
                int r = negative_errno();

                safe_close(fd);
                return r;
        }
        *ret_fd = fd;
        return 0;
}

static bool same_inode(const char *dir, uid_t base, int fd) {
        _cleanup_free_ char *p = lock_path(dir, base);
        struct stat a, b;

        return fstat(fd, &a) == 0 && stat(p, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static void unlock_file_for_test(const char *dir, uid_t base, int fd) {
        _cleanup_free_ char *p = lock_path(dir, base);

        (void) unlink(p);
        safe_close(fd);
}

static void check_held(const UidRange *r, const char *const *dirs, const char *what) {
        ok(base_is_in_pool(r->base), "%s: base %u is a 64K-aligned range inside the pool", what, (unsigned) r->base);
        is_int(r->size, STEP, "%s: size is 64K", what);
        for (size_t i = 0; i < 2; i++) {
                ok(r->lock_fds[i] >= 0, "%s: holds a lock fd for directory %zu", what, i);
                ok(lock_exists(dirs[i], r->base), "%s: lock file %s/%u exists", what, dirs[i], (unsigned) r->base);
        }
}

static void test_pick(const char *const *dirs) {
        uid_t cand = uid_range_candidate_for_name("foo");
        UidRange first = UID_RANGE_NULL, second = UID_RANGE_NULL, third = UID_RANGE_NULL;
        int r;

        busy_mode = BUSY_NONE;

        /* (a) */
        r = uid_range_pick("foo", dirs, 2, fake_id_in_use, &first);
        if (!is_int(r, 0, "pick: first pick for 'foo' succeeds (lock directory %s is made)", dirs[1]))
                return;
        is_int(first.base, cand, "pick: first pick for 'foo' gets its candidate");
        check_held(&first, dirs, "first pick");

        /* (b) */
        r = uid_range_pick("foo", dirs, 2, fake_id_in_use, &second);
        is_int(r, 0, "pick: second pick for 'foo' while the first is held succeeds");
        if (r >= 0) {
                ok(second.base != cand, "pick: second pick for 'foo' gets another base (%u, not %u)",
                   (unsigned) second.base, (unsigned) cand);
                check_held(&second, dirs, "second pick");
        }
        ok(lock_exists(dirs[0], cand) && lock_exists(dirs[1], cand),
           "pick: the losing attempt left the first holder's lock files alone");

        /* (c) */
        uid_range_release(&first);
        ok(!lock_exists(dirs[0], cand) && !lock_exists(dirs[1], cand), "release: the lock files are gone");
        ok(first.lock_fds[0] < 0 && first.lock_fds[1] < 0 && !first.lock_paths[0] && !first.lock_paths[1],
           "release: fds closed and paths freed");

        r = uid_range_pick("foo", dirs, 2, fake_id_in_use, &third);
        is_int(r, 0, "pick: after release, a pick for 'foo' succeeds");
        is_int(third.base, cand, "pick: after release, 'foo' gets its candidate again");
        /* The next holder of the same range has the same lock file names and likely the fd numbers just freed:
         * a stale release must touch neither. */
        uid_range_release(&first);
        ok(r >= 0 && lock_exists(dirs[0], cand) && lock_exists(dirs[1], cand),
           "release: a second release leaves the next holder's lock files alone");
        ok(r >= 0 && fcntl(third.lock_fds[0], F_GETFD) >= 0 && fcntl(third.lock_fds[1], F_GETFD) >= 0,
           "release: a second release leaves the next holder's fds open");
        uid_range_release(&third);

        /* (d) */
        busy_mode = BUSY_ONE_ID;
        busy_id = cand;
        r = uid_range_pick("foo", dirs, 2, fake_id_in_use, &third);
        is_int(r, 0, "pick: with the candidate's first ID in use, a pick succeeds");
        ok(r < 0 || third.base != cand, "pick: ...and avoids the candidate");
        ok(!lock_exists(dirs[0], cand) && !lock_exists(dirs[1], cand), "pick: ...without locking the candidate");
        uid_range_release(&third);

        busy_id = cand + STEP - 1;
        r = uid_range_pick("foo", dirs, 2, fake_id_in_use, &third);
        is_int(r, 0, "pick: with the candidate's last ID in use, a pick succeeds");
        ok(r < 0 || third.base != cand, "pick: ...and avoids the candidate");
        uid_range_release(&third);

        busy_id = cand + STEP; /* the next range's first ID: none of ours */
        r = uid_range_pick("foo", dirs, 2, fake_id_in_use, &third);
        is_int(r, 0, "pick: with the ID after the candidate's range in use, a pick succeeds");
        is_int(third.base, cand, "pick: ...and keeps the candidate");
        uid_range_release(&third);

        busy_mode = BUSY_ALL;
        third = (UidRange) UID_RANGE_NULL;
        r = uid_range_pick("foo", dirs, 2, fake_id_in_use, &third);
        is_int(r, -EBUSY, "pick: with every ID in use, pick gives -EBUSY");
        ok(third.lock_fds[0] < 0 && third.lock_fds[1] < 0 && !third.lock_paths[0],
           "pick: ...and leaves the output alone");
        busy_mode = BUSY_NONE;

        uid_range_release(&second);
        is_int(count_entries(dirs[0]), 0, "pick: all released, lock directory %s is empty", dirs[0]);
        is_int(count_entries(dirs[1]), 0, "pick: all released, lock directory %s is empty", dirs[1]);

        /* Files nobody holds are what killed launchers left: pick clears them from our own directory (the
         * first), never from nspawn's (the second). */
        {
                const uid_t stale = UID_POOL_MIN + 7 * STEP;
                int held = -EBADF;

                for (size_t i = 0; i < 2; i++) {
                        _cleanup_free_ char *p = lock_path(dirs[i], stale);
                        int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

                        if (fd < 0)
                                abort();
                        safe_close(fd);
                }
                if (hold_lock(dirs[0], stale + STEP, &held) < 0)
                        abort();
                r = uid_range_pick("foo", dirs, 2, fake_id_in_use, &third);
                is_int(r, 0, "pick: with stale lock files around, a pick succeeds");
                ok(!lock_exists(dirs[0], stale), "pick: a stale lock file in the first directory is swept");
                ok(lock_exists(dirs[1], stale), "pick: a stale lock file in the second directory is left alone");
                ok(same_inode(dirs[0], stale + STEP, held), "pick: a held lock file is not swept");
                uid_range_release(&third);
                unlock_file_for_test(dirs[0], stale + STEP, held);
                {
                        _cleanup_free_ char *p = lock_path(dirs[1], stale);

                        (void) unlink(p);
                }
        }

        r = uid_range_pick("foo", NULL, 0, NULL, &third);
        is_int(r, 0, "pick: no lock directories and no NSS check is allowed");
        is_int(third.base, cand, "pick: ...and gives the candidate");
        uid_range_release(&third);
}

static void test_take(const char *const *dirs) {
        const uid_t base = UID_POOL_MIN + 42 * STEP;
        UidRange range = UID_RANGE_NULL;
        int held = -EBADF, r;

        /* held in the first directory */
        if (!is_int(hold_lock(dirs[0], base, &held), 0, "take: the test holds %s/%u", dirs[0], (unsigned) base))
                return;
        r = uid_range_take(base, STEP, dirs, 2, NULL, &range);
        is_int(r, -EBUSY, "take: a base held in the first lock directory gives -EBUSY");
        ok(same_inode(dirs[0], base, held), "take: the holder's lock file is still there, the same file");
        ok(!lock_exists(dirs[1], base), "take: nothing was locked in the second directory");
        ok(range.lock_fds[0] < 0 && range.lock_fds[1] < 0, "take: the output is left alone");
        held = safe_close(held);
        {
                _cleanup_free_ char *p = lock_path(dirs[0], base);

                (void) unlink(p);
        }

        /* held in the second directory only: what we locked in the first must be undone */
        if (!is_int(hold_lock(dirs[1], base, &held), 0, "take: the test holds %s/%u", dirs[1], (unsigned) base))
                return;
        r = uid_range_take(base, STEP, dirs, 2, NULL, &range);
        is_int(r, -EBUSY, "take: a base held in the second lock directory gives -EBUSY");
        ok(same_inode(dirs[1], base, held), "take: the holder's lock file is still there, the same file");
        ok(!lock_exists(dirs[0], base), "take: our own lock file in the first directory was removed again");

        /* once the holder lets go (closing without unlinking, like a crashed holder), the base can be taken */
        held = safe_close(held);
        r = uid_range_take(base, STEP, dirs, 2, NULL, &range);
        is_int(r, 0, "take: a stale lock file (no flock) does not block");
        is_int(range.base, base, "take: ...and the base is the one asked for");
        is_int(range.size, STEP, "take: ...with the size asked for");
        {
                int again = -EBADF;

                is_int(hold_lock(dirs[1], base, &again), -EWOULDBLOCK, "take: the range is now locked against others");
                safe_close(again);
        }
        uid_range_release(&range);
        ok(!lock_exists(dirs[0], base) && !lock_exists(dirs[1], base), "take: release removes both lock files");

        /* arguments */
        busy_mode = BUSY_ONE_ID;
        busy_id = base;
        is_int(uid_range_take(base, STEP, dirs, 2, fake_id_in_use, &range), -EBUSY,
               "take: a base whose first ID is in use gives -EBUSY");
        busy_id = base + 1000;
        is_int(uid_range_take(base, STEP, dirs, 2, fake_id_in_use, &range), -EBUSY,
               "take: an ID in the middle of the range in use gives -EBUSY (the range is checked whole)");
        busy_mode = BUSY_NONE;
        {
                const char *const three[] = { dirs[0], dirs[1], dirs[0] };

                is_int(uid_range_take(base, STEP, three, 3, NULL, &range), -E2BIG,
                       "take: more lock directories than slots gives -E2BIG");
        }
        is_int(count_entries(dirs[0]), 0, "take: lock directory %s is empty at the end", dirs[0]);
        is_int(count_entries(dirs[1]), 0, "take: lock directory %s is empty at the end", dirs[1]);

        {
                UidRange null = UID_RANGE_NULL;

                int before = count_entries(dirs[0]), fd;

                if (fcntl(STDIN_FILENO, F_GETFD) < 0) /* so that closing fd 0 would show */
                        (void) open("/dev/null", O_RDONLY);
                fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

                /* UID_RANGE_NULL's fds are -EBADF, not 0: releasing it must not close stdin or anything */
                uid_range_release(&null);
                ok(fcntl(STDIN_FILENO, F_GETFD) >= 0 && fd >= 0 && fcntl(fd, F_GETFD) >= 0,
                   "release: releasing UID_RANGE_NULL closes no fd");
                is_int(count_entries(dirs[0]), before, "release: releasing UID_RANGE_NULL removes no file");
                ok(null.lock_fds[0] < 0 && null.lock_fds[1] < 0 && !null.lock_paths[0] && !null.lock_paths[1],
                   "release: UID_RANGE_NULL stays null");
                safe_close(fd);
        }
}

static bool maps_have(const char *what) {
        _cleanup_free_ char *maps = NULL;

        return read_full_file("/proc/self/maps", &maps, NULL) >= 0 && strstr(maps, what);
}

/* The real NSS: root exists everywhere; no host user or group has an ID in the 64K just below the foreign range. */
static void test_nss_conflict(void) {
        char who[128] = "";

        ok(uid_range_nss_conflict(0, STEP, who, sizeof who), "nss: a range holding UID 0 conflicts");
        is_str(who, "user 'root' (UID 0)", "nss: and names root");
        ok(!uid_range_nss_conflict(0x7FFD0000, STEP, who, sizeof who), "nss: a range nobody has does not");
        ok(uid_range_nss_conflict_forked(0, STEP, who, sizeof who), "nss in a child: a range holding UID 0 conflicts");
        is_str(who, "user 'root' (UID 0)", "nss in a child: and names root");
        ok(!uid_range_nss_conflict_forked(0x7FFD0000, STEP, who, sizeof who), "nss in a child: a free range is free");
        ok(!maps_have("libnss_"), "nss: the lookups ran elsewhere: no NSS module is mapped in the asking process");
}

int main(void) {
        char tmpdir[] = "/tmp/test-userns-XXXXXX";
        _cleanup_free_ char *dir_a = NULL, *dir_b = NULL, *dir_b_parent = NULL;

        test_candidate();
        test_nss_conflict();

        if (!mkdtemp(tmpdir)) {
                skip("uid_range_pick/take: cannot make a temporary directory: %m");
                return tap_done();
        }
        /* the first lock directory exists, the second (two levels deep) does not yet */
        if (asprintf(&dir_a, "%s/a", tmpdir) < 0 || asprintf(&dir_b_parent, "%s/b", tmpdir) < 0 ||
            asprintf(&dir_b, "%s/b/c", tmpdir) < 0 || mkdir(dir_a, 0755) < 0)
                abort();
        {
                const char *const dirs[] = { dir_a, dir_b };

                test_pick(dirs);
                test_take(dirs);
        }

        if (rmdir(dir_a) < 0 || rmdir(dir_b) < 0 || rmdir(dir_b_parent) < 0 || rmdir(tmpdir) < 0)
                diag("Failed to remove the temporary directories below '%s': %m", tmpdir);
        return tap_done();
}
