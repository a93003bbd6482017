/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "foreign.h"
#include "log.h"
#include "macro.h"
#include "strutil.h"
#include "settings.h"

#define WALK_DEPTH_MAX 512

static bool id_is_foreign(uint32_t id) {
        return id >= FOREIGN_UID_BASE && id - FOREIGN_UID_BASE < FOREIGN_UID_SIZE;
}

void foreign_bind_check(const char *source) {
        struct stat st;

        if (stat(source, &st) < 0 || (id_is_foreign(st.st_uid) && id_is_foreign(st.st_gid)))
                return;
        log_warning("Writable bind '%s' is owned by %u:%u, which the container sees as nobody's: its files on disk "
                    "belong to the foreign range %u-%u. Move it over once with nixos-nspawn --chown-foreign='%s' "
                    "(or bind it with the 'idmap' option, and its risk).",
                    source, (unsigned) st.st_uid, (unsigned) st.st_gid, FOREIGN_UID_BASE,
                    FOREIGN_UID_BASE + FOREIGN_UID_SIZE - 1, source);
}

typedef struct Walk {
        dev_t dev;
        unsigned changed, already, outside;
} Walk;

/* 0..65535 (what identity mapping wrote) moves into the range; IDs in it stay; anything else is not ours to guess
 * and stays too (counted). */
static uint32_t foreign_id_of(uint32_t id, bool *outside) {
        if (id < FOREIGN_UID_SIZE)
                return FOREIGN_UID_BASE + id;
        if (!id_is_foreign(id))
                *outside = true;
        return id;
}

/* One inode, by its name in dirfd (or dirfd itself for name ""), never through a symlink: the tree may be a
 * container's, written while we walk. */
static int chown_entry(int dirfd, const char *name, const struct stat *st, Walk *w) {
        bool outside = false;
        uid_t uid = foreign_id_of(st->st_uid, &outside);
        gid_t gid = foreign_id_of(st->st_gid, &outside);
        _cleanup_close_ int own = -EBADF;
        struct stat now;
        char proc[64];
        int fd = dirfd;

        if (outside)
                w->outside++;
        if (uid == st->st_uid && gid == st->st_gid) {
                w->already += !outside;
                return 0;
        }
        if (S_ISLNK(st->st_mode)) {
                if (fchownat(dirfd, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
                        return -errno;
                w->changed++;
                return 0;
        }
        if (*name) {
                fd = own = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0)
                        return -errno;
        }
        if (fstat(fd, &now) < 0)
                return -errno;
        if (now.st_ino != st->st_ino || now.st_dev != st->st_dev)
                return -EBUSY; /* replaced while we looked */
        if (fchownat(fd, "", uid, gid, AT_EMPTY_PATH) < 0)
                return -errno;
        /* chown() drops setuid/setgid bits; put the mode back, so the tree is the same inside. (A setuid file
         * owned by the foreign range gives nobody on the host anything, and binds are nosuid inside.) */
        if ((st->st_mode & (S_ISUID | S_ISGID)) && !S_ISDIR(st->st_mode)) {
                snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
                if (chmod(proc, st->st_mode & 07777) < 0)
                        return -errno;
        }
        w->changed++;
        return 0;
}

static int walk(int dfd, const char *path, unsigned depth, Walk *w) {
        DIR *d;
        struct dirent *de;
        int r = 0;

        if (depth > WALK_DEPTH_MAX)
                return log_error_errno(-ELOOP, "Failed to move '%s': deeper than %d directories.", path,
                                       WALK_DEPTH_MAX);
        d = fdopendir(dfd);
        if (!d) {
                r = negative_errno();
                safe_close(dfd);
                return log_error_errno(r, "Failed to read '%s': %m", path);
        }
        while (r >= 0 && (errno = 0, de = readdir(d))) {
                _cleanup_free_ char *sub = NULL;
                struct stat st;

                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                sub = strprintf("%s/%s", path, de->d_name);
                if (!sub) {
                        r = log_oom();
                        break;
                }
                if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        if (errno == ENOENT)
                                continue; /* gone meanwhile */
                        r = log_error_errno(negative_errno(), "Failed to look at '%s': %m", sub);
                        break;
                }
                if (st.st_dev != w->dev)
                        continue; /* another file system mounted here: not part of this tree */
                r = chown_entry(dirfd(d), de->d_name, &st, w);
                if (r < 0) {
                        r = log_error_errno(r, "Failed to move '%s' to the foreign range: %m", sub);
                        break;
                }
                if (S_ISDIR(st.st_mode)) {
                        int sfd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

                        if (sfd < 0) {
                                r = log_error_errno(negative_errno(), "Failed to open '%s': %m", sub);
                                break;
                        }
                        r = walk(sfd, sub, depth + 1, w);
                }
        }
        if (r >= 0 && errno != 0)
                r = log_error_errno(negative_errno(), "Failed to read '%s': %m", path);
        closedir(d);
        return r;
}

int foreign_chown_tree(const char *path) {
        struct stat st, root;
        Walk w = {};
        int fd, r;

        fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return log_error_errno(negative_errno(), "Cannot use --chown-foreign '%s': %m", path);
        if (fstat(fd, &st) < 0 || stat("/", &root) < 0) {
                r = negative_errno();
                safe_close(fd);
                return log_error_errno(r, "Cannot use --chown-foreign '%s': %m", path);
        }
        if (st.st_dev == root.st_dev && st.st_ino == root.st_ino) {
                safe_close(fd);
                return log_invalid("Cannot use --chown-foreign '%s': it is the host's root directory.", path);
        }
        w.dev = st.st_dev;
        r = chown_entry(fd, "", &st, &w);
        if (r < 0) {
                safe_close(fd);
                return log_error_errno(r, "Failed to move '%s' to the foreign range: %m", path);
        }
        r = walk(fd, path, 0, &w);
        if (r < 0)
                return r;
        log_info("Moved %u inodes of '%s' to the foreign UID range; %u were in it already; %u have IDs outside "
                 "0-65535 and the range, left as they are.", w.changed, path, w.already, w.outside);
        return (int) w.changed;
}
