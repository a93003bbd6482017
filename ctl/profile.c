/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The profile's layout, and the move from the old one. The move is four steps, each safe to be killed after:
 *   1. a staging directory PROFILE_DIR/.NAME.new gets a copy of every old generation link (system-N-link);
 *   2. its `system` link is made last: it marks the staging complete;
 *   3. the old generation links PROFILE_DIR/NAME-N-link are removed (the copies hold the GC roots now);
 *   4. the old profile link PROFILE_DIR/NAME is removed, and the staging renamed to PROFILE_DIR/NAME.
 * An incomplete staging is built again from the old links, which are untouched until it is complete; a complete
 * one resumes at step 3. A leading '.' is no container name's, so the staging cannot be anyone's directory. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "fileio.h"
#include "lockfile.h"
#include "log.h"
#include "profile.h"
#include "stoppoint.h"
#include "strutil.h"

char *profile_dir(const char *name) {
        return strprintf(PROFILE_DIR "/%s", name);
}

char *profile_path(const char *name) {
        return strprintf(PROFILE_DIR "/%s/" PROFILE_NAME, name);
}

int generation_link_number(const char *entry, const char *prefix, unsigned *ret) {
        const char *rest = startswith(entry, prefix), *end;
        char num[16];

        if (!rest || *rest++ != '-' || !(end = endswith(rest, "-link")) || end == rest ||
            (size_t) (end - rest) >= sizeof num)
                return -EINVAL;
        memcpy(num, rest, end - rest);
        num[end - rest] = 0;
        if (num[0] < '1' || num[0] > '9')
                return -EINVAL;
        return safe_atou32(num, ret);
}

static bool is_symlink_at(int dfd, const char *path) {
        struct stat st;
        return fstatat(dfd, path, &st, AT_SYMLINK_NOFOLLOW) >= 0 && S_ISLNK(st.st_mode);
}

/* An old generation link of NAME: PROFILE_DIR/NAME-N-link, a symlink, and not the (old) profile of a container
 * that has that name: after a collision of the old layout it is that container's, not NAME's. */
static bool old_link_of(int dfd, const char *entry, const char *name, unsigned *ret) {
        _cleanup_free_ char *conf = NULL;

        if (generation_link_number(entry, name, ret) < 0 || !is_symlink_at(dfd, entry))
                return false;
        conf = conf_path(entry);
        return conf && access(conf, F_OK) < 0;
}

/* Step 3: removes NAME's old generation links. */
static int old_links_remove(const char *name) {
        _cleanup_close_ int dfd = open(PROFILE_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        struct dirent *de;
        unsigned n;
        int r = 0;
        DIR *d;

        if (dfd < 0 || !(d = fdopendir(dfd)))
                return log_error_errno(negative_errno(), "Failed to open '%s': %m", PROFILE_DIR);
        dfd = -EBADF;
        while ((de = readdir(d)))
                if (old_link_of(dirfd(d), de->d_name, name, &n) && unlinkat(dirfd(d), de->d_name, 0) < 0 &&
                    errno != ENOENT && r >= 0)
                        r = log_error_errno(negative_errno(), "Failed to remove '%s/%s': %m", PROFILE_DIR,
                                            de->d_name);
        closedir(d);
        return r;
}

/* Steps 1 and 2: the staging directory from the old links, its `system` link last. */
static int staging_build(const char *name, const char *old_profile, const char *staging) {
        _cleanup_close_ int sfd = -EBADF;
        char old[4096], target[4096], current[64] = "";
        unsigned n, cur = 0;
        struct dirent *de;
        ssize_t k;
        DIR *d;

        k = readlink(old_profile, old, sizeof old - 1);
        if (k <= 0)
                return log_error_errno(k < 0 ? negative_errno() : -EINVAL, "Failed to read the link '%s': %m",
                                       old_profile);
        old[k] = 0;
        if (generation_link_number(strrchr(old, '/') ? strrchr(old, '/') + 1 : old, name, &cur) < 0)
                cur = 0;
        if (mkdir(staging, 0755) < 0 && errno != EEXIST)
                return log_error_errno(negative_errno(), "Failed to create '%s': %m", staging);
        sfd = open(staging, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        d = opendir(PROFILE_DIR);
        if (sfd < 0 || !d) {
                if (d)
                        closedir(d);
                return log_error_errno(negative_errno(), "Failed to open '%s': %m", sfd < 0 ? staging : PROFILE_DIR);
        }
        while ((de = readdir(d))) {
                char link[64];

                if (!old_link_of(dirfd(d), de->d_name, name, &n) ||
                    (k = readlinkat(dirfd(d), de->d_name, target, sizeof target - 1)) <= 0)
                        continue;
                target[k] = 0;
                snprintf(link, sizeof link, PROFILE_NAME "-%u-link", n);
                (void) unlinkat(sfd, link, 0); /* a copy from a killed earlier try */
                if (symlinkat(target, sfd, link) < 0) {
                        closedir(d);
                        return log_error_errno(negative_errno(), "Failed to link '%s/%s': %m", staging, link);
                }
                if (n == cur)
                        snprintf(current, sizeof current, "%s", link);
        }
        closedir(d);
        test_stop_point("profile-migrate-1");
        /* the marker: without a current generation we found, the old link's target as it was */
        if (symlinkat(current[0] ? current : old, sfd, PROFILE_NAME) < 0 && errno != EEXIST)
                return log_error_errno(negative_errno(), "Failed to link '%s/" PROFILE_NAME "': %m", staging);
        return 0;
}

/* A staging directory nothing can complete (there is no old profile to build it from): its links and itself.
 * Only links are in it; anything else makes rmdir() fail, and we say so. */
static int rm_staging(const char *staging) {
        _cleanup_close_ int sfd = open(staging, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        struct dirent *de;
        DIR *d;

        if (sfd < 0)
                return errno == ENOENT ? 0 : log_error_errno(negative_errno(), "Failed to open '%s': %m", staging);
        d = fdopendir(sfd);
        if (!d)
                return log_error_errno(negative_errno(), "Failed to open '%s': %m", staging);
        sfd = -EBADF;
        while ((de = readdir(d)))
                if (is_symlink_at(dirfd(d), de->d_name))
                        (void) unlinkat(dirfd(d), de->d_name, 0);
        closedir(d);
        if (rmdir(staging) < 0 && errno != ENOENT)
                return log_error_errno(negative_errno(), "Failed to remove the stale '%s': %m", staging);
        return 0;
}

static int lstat_type(const char *path, mode_t *ret) {
        struct stat st;

        if (lstat(path, &st) < 0) {
                if (errno != ENOENT)
                        return log_error_errno(negative_errno(), "Failed to look at '%s': %m", path);
                *ret = 0;
                return 0;
        }
        *ret = st.st_mode & S_IFMT;
        return 0;
}

/* Under the lock: from whatever step a killed move reached, to the end. */
static int migrate_locked(const char *name, const char *dir, const char *staging) {
        _cleanup_free_ char *marker = strprintf("%s/" PROFILE_NAME, staging);
        mode_t dir_type, marker_type;
        int r;

        if (!marker)
                return log_oom();
        r = lstat_type(dir, &dir_type);
        if (r >= 0)
                r = lstat_type(marker, &marker_type);
        if (r < 0)
                return r;
        if (dir_type == S_IFDIR) /* moved already: what is left of a staging is stale */
                return rm_staging(staging);
        if (marker_type != S_IFLNK) { /* no complete staging: (again) from the old links, if there are any */
                if (dir_type != S_IFLNK)
                        return rm_staging(staging);
                r = staging_build(name, dir, staging);
                if (r < 0)
                        return r;
        }
        test_stop_point("profile-migrate-2");
        r = old_links_remove(name);
        if (r < 0)
                return r;
        test_stop_point("profile-migrate-3");
        if (dir_type == S_IFLNK && unlink(dir) < 0 && errno != ENOENT)
                return log_error_errno(negative_errno(), "Failed to remove the old profile '%s': %m", dir);
        test_stop_point("profile-migrate-4");
        if (rename(staging, dir) < 0)
                return log_error_errno(negative_errno(), "Failed to move '%s' to '%s': %m", staging, dir);
        log_info("Moved the generations of container '%s' into %s/ (a directory of its own).", name, dir);
        return 0;
}

int profile_migrate(const char *name) {
        _cleanup_free_ char *dir = profile_dir(name), *staging = strprintf(PROFILE_DIR "/.%s.new", name),
                            *lock = strprintf(RUN_DIR "/%s.profile-move", name);
        mode_t dir_type, staging_type;
        int fd, r;

        if (!dir || !staging || !lock)
                return log_oom();
        r = lstat_type(dir, &dir_type);
        if (r >= 0)
                r = lstat_type(staging, &staging_type);
        if (r < 0)
                return r;
        if (staging_type == 0 && dir_type != S_IFLNK)
                return 0; /* the new layout, or no profile */
        r = mkdir_p(RUN_DIR, 0700);
        if (r < 0)
                return log_error_errno(r, "Failed to create '%s': %m", RUN_DIR);
        r = lock_file_wait(lock, &fd);
        if (r < 0)
                return log_error_errno(r, "Failed to lock '%s': %m", lock);
        r = migrate_locked(name, dir, staging);
        (void) unlock_file(lock, fd);
        return r;
}
