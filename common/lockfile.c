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
                        /* Another launcher's lock_dir_sweep() or lock_is_held() holds it for a moment while it
                         * probes; a real holder holds it for good. Ask again a few times before calling it taken. */
                        if (errno == EWOULDBLOCK && ++busy < 10) {
                                nanosleep(&(struct timespec) { .tv_nsec = 200 * 1000 }, NULL);
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
                if (flock(fd, LOCK_EX | LOCK_NB) >= 0)
                        (void) unlinkat(dirfd(d), de->d_name, 0);
                safe_close(fd);
        }
        closedir(d);
}

bool lock_is_held(const char *path) {
        _cleanup_close_ int fd = open(path, O_RDWR | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);

        if (fd < 0) /* missing: nobody's; anything else: cannot tell, so take it as held and touch nothing */
                return errno != ENOENT;
        /* our own open file description: taking the lock and dropping it again changes nothing for others */
        if (flock(fd, LOCK_EX | LOCK_NB) < 0)
                return errno == EWOULDBLOCK;
        (void) flock(fd, LOCK_UN);
        return false;
}
