/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lockfile.h"
#include "macro.h"
#include "strutil.h"

/* How long a taker keeps asking while the lock is busy: lock_is_held() probes and lock_dir_sweep() hold a shared
 * lock, each for a moment only; on a loaded machine a prober can be preempted while it
 * holds it, so the budget is generous (a real holder holds it for good and costs a refused taker this long). */
#define LOCK_BUSY_TRIES 500
#define LOCK_BUSY_PAUSE_NSEC (1000 * 1000)

/* flock() on a file that others may unlink: after locking, make sure the path still names our inode, or a second
 * taker could lock a fresh file of the same name while we hold the unlinked one. */
static int lock_file_full(const char *path, bool wait, int *ret_fd) {
        unsigned busy = 0;

        for (;;) {
                _cleanup_close_ int fd = -EBADF;
                struct stat a, b;

                fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW, 0600);
                if (fd < 0)
                        return -errno;
                if (flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) < 0) {
                        /* Another launcher's lock_dir_sweep() or someone's lock_is_held() holds it for a moment
                         * while it probes; a real holder holds it for good. Ask again before calling it taken. */
                        if (errno == EWOULDBLOCK && ++busy < LOCK_BUSY_TRIES) {
                                nanosleep(&(struct timespec) { .tv_nsec = LOCK_BUSY_PAUSE_NSEC }, NULL);
                                continue;
                        }
                        return -errno;
                }
                if (fstat(fd, &a) < 0)
                        return -errno;
                if (stat(path, &b) < 0) {
                        if (errno == ENOENT)
                                continue;
                        return -errno;
                }
                if (a.st_dev != b.st_dev || a.st_ino != b.st_ino)
                        continue;
                *ret_fd = TAKE_FD(fd);
                return 0;
        }
}

int lock_file(const char *path, int *ret_fd) {
        return lock_file_full(path, false, ret_fd);
}

int lock_file_wait(const char *path, int *ret_fd) {
        return lock_file_full(path, true, ret_fd);
}

int unlock_file(const char *path, int fd) {
        if (path && fd >= 0)
                (void) unlink(path);
        safe_close(fd);
        return -EBADF;
}

void lock_dir_sweep(const char *dir) {
        DIR *d = opendir(dir);
        struct dirent *de;

        if (!d)
                return;
        while ((de = readdir(d))) {
                int fd;

                if (de->d_type != DT_REG)
                        continue;
                fd = openat(dirfd(d), de->d_name, O_RDWR | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
                if (fd < 0)
                        continue;
                if (flock(fd, LOCK_SH | LOCK_NB) >= 0)
                        (void) unlinkat(dirfd(d), de->d_name, 0);
                safe_close(fd);
        }
        closedir(d);
}

/* tries: how many refusals are asked again, 1 ms apart, before one counts as a holder. */
static bool lock_probe(const char *path, unsigned tries) {
        _cleanup_close_ int fd = open(path, O_RDWR | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);

        if (fd < 0) /* missing: nobody's; anything else: cannot tell, so take it as held and touch nothing */
                return errno != ENOENT;
        /* A shared lock, on our own open file description: probes (and lock_dir_sweep(), also shared) never see
         * each other. Holders take it exclusively, and so, for a moment, do a taker checking its file and a
         * sweeper removing a dead machine's leftovers. */
        for (unsigned busy = 0;; busy++) {
                if (flock(fd, LOCK_SH | LOCK_NB) >= 0)
                        break;
                if (errno != EWOULDBLOCK || busy >= tries)
                        return errno == EWOULDBLOCK;
                nanosleep(&(struct timespec) { .tv_nsec = LOCK_BUSY_PAUSE_NSEC }, NULL);
        }
        (void) flock(fd, LOCK_UN);
        return false;
}

bool lock_is_held(const char *path) {
        return lock_probe(path, 10);
}

bool lock_is_held_now(const char *path) {
        return lock_probe(path, 0);
}
