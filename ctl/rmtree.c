/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "fileio.h"
#include "log.h"
#include "mountinfo.h"
#include "rmtree.h"
#include "strutil.h"

/* Where a directory lives: its mount (0 when the kernel does not say) and its device. */
typedef struct Place {
        uint64_t mnt_id;
        dev_t dev;
} Place;

static int place_of(int fd, Place *ret) {
        struct statx sx;

        if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &sx) < 0)
                return -errno;
        *ret = (Place) { .mnt_id = sx.stx_mask & STATX_MNT_ID ? sx.stx_mnt_id : 0,
                         .dev = makedev(sx.stx_dev_major, sx.stx_dev_minor) };
        return 0;
}

static int rm_children(int dfd, const char *path, const Place *top);

/* One entry of the directory dfd (at path): a directory on our mount is emptied and removed, anything else
 * unlinked; a directory on another mount is left. */
static int rm_entry(int dfd, const char *path, const char *name, const Place *top) {
        _cleanup_free_ char *sub = strprintf("%s/%s", path, name);
        _cleanup_close_ int fd = -EBADF;
        Place p;
        int r;

        if (!sub)
                return log_oom();
        /* O_DIRECTORY fails before a FIFO or device would be opened; O_NOFOLLOW: a symlink is never followed */
        fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0 && (errno == ENOTDIR || errno == ELOOP)) {
                if (unlinkat(dfd, name, 0) < 0 && errno != ENOENT)
                        return log_error_errno(negative_errno(), "Failed to remove '%s': %m", sub);
                return 0;
        }
        if (fd < 0)
                return errno == ENOENT ? 0 : log_error_errno(negative_errno(), "Failed to open '%s': %m", sub);
        r = place_of(fd, &p);
        if (r < 0)
                return log_error_errno(r, "Failed to look at '%s': %m", sub);
        if (p.dev != top->dev || p.mnt_id != top->mnt_id)
                return log_error_errno(-EBUSY, "Not deleting '%s': another file system is mounted there (a bind "
                                       "mount?); unmount it first.", sub);
        r = rm_children(fd, sub, top);
        if (unlinkat(dfd, name, AT_REMOVEDIR) < 0 && r >= 0 && errno != ENOENT)
                r = log_error_errno(negative_errno(), "Failed to remove '%s': %m", sub);
        return r;
}

/* Every entry of the directory dfd; goes on past a failure, returns the first. */
static int rm_children(int dfd, const char *path, const Place *top) {
        _cleanup_close_ int dup_fd = fcntl(dfd, F_DUPFD_CLOEXEC, 3);
        struct dirent *de;
        int r = 0;
        DIR *d;

        if (dup_fd < 0)
                return log_error_errno(negative_errno(), "Failed to read '%s': %m", path);
        d = fdopendir(dup_fd);
        if (!d)
                return log_error_errno(negative_errno(), "Failed to read '%s': %m", path);
        dup_fd = -EBADF; /* the DIR owns it */
        while ((errno = 0, de = readdir(d))) {
                int k;

                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                k = rm_entry(dirfd(d), path, de->d_name, top);
                if (k < 0 && r >= 0)
                        r = k;
        }
        if (errno != 0 && r >= 0)
                r = log_error_errno(negative_errno(), "Failed to read '%s': %m", path);
        closedir(d);
        return r;
}

int rm_tree_one_mount(const char *path) {
        _cleanup_close_ int fd = -EBADF;
        Place top;
        int r;

        fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0 && (errno == ENOTDIR || errno == ELOOP)) {
                if (unlink(path) < 0 && errno != ENOENT)
                        return log_error_errno(negative_errno(), "Failed to remove '%s': %m", path);
                return 0;
        }
        if (fd < 0)
                return errno == ENOENT ? -ENOENT : log_error_errno(negative_errno(), "Failed to open '%s': %m", path);
        r = place_of(fd, &top);
        if (r < 0)
                return log_error_errno(r, "Failed to look at '%s': %m", path);
        r = rm_children(fd, path, &top);
        if (r >= 0 && rmdir(path) < 0 && errno != ENOENT)
                r = log_error_errno(negative_errno(), "Failed to remove '%s': %m", path);
        return r;
}

int refuse_mounts_below(const char *path) {
        _cleanup_free_ char *text = NULL, *mp = NULL;
        size_t size;
        int r;

        r = read_full_file("/proc/self/mountinfo", &text, &size);
        if (r < 0)
                return log_error_errno(r, "Failed to read /proc/self/mountinfo: %m");
        r = mountinfo_find_below(text, path, &mp);
        if (r == -ENOENT)
                return 0;
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0)
                return log_error_errno(r, "Failed to parse /proc/self/mountinfo: %m");
        return log_error_errno(-EBUSY, "'%s' is mounted inside '%s': unmount it first, nothing was deleted.", mp,
                               path);
}
