/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libmount.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "fileio.h"
#include "log.h"
#include "strutil.h"

#define CGROUP_TOP "nixos-nspawn"

static void mnt_free_tablep(struct libmnt_table **t) {
        mnt_free_table(*t);
}

int cgroup2_find_mount(char **ret) {
        _cleanup_(mnt_free_tablep) struct libmnt_table *t = NULL;
        struct libmnt_iter *it;
        struct libmnt_fs *fs;
        int r;

        t = mnt_new_table();
        if (!t)
                return -ENOMEM;
        r = mnt_table_parse_mtab(t, "/proc/self/mountinfo");
        if (r < 0)
                return r;
        it = mnt_new_iter(MNT_ITER_FORWARD);
        if (!it)
                return -ENOMEM;
        while (mnt_table_next_fs(t, it, &fs) == 0)
                if (streq(mnt_fs_get_fstype(fs) ?: "", "cgroup2")) {
                        *ret = strdup(mnt_fs_get_target(fs));
                        mnt_free_iter(it);
                        return *ret ? 0 : -ENOMEM;
                }
        mnt_free_iter(it);
        return -ENOENT;
}

static int machine_cgroup_path(const char *machine, char **ret) {
        _cleanup_free_ char *mnt = NULL;
        int r;

        r = cgroup2_find_mount(&mnt);
        if (r < 0)
                return r;
        *ret = strprintf("%s/" CGROUP_TOP "/%s", mnt, machine);
        if (!*ret)
                return -ENOMEM;
        return 0;
}

/* What systemd's Delegate= hands over: the directory and the files that manage its children. */
static int chown_delegated(const char *dir, uid_t owner) {
        static const char *const files[] = { "cgroup.procs", "cgroup.threads", "cgroup.subtree_control" };
        _cleanup_close_ int fd = open(dir, O_DIRECTORY | O_CLOEXEC);

        if (fd < 0)
                return -errno;
        if (fchown(fd, owner, owner) < 0)
                return -errno;
        for (size_t i = 0; i < ELEMENTSOF(files); i++)
                if (fchownat(fd, files[i], owner, owner, 0) < 0 && errno != ENOENT)
                        return -errno;
        return 0;
}

int cgroup_create(const char *machine, uid_t owner, Cgroup *ret) {
        _cleanup_free_ char *path = NULL, *payload = NULL, *procs = NULL;
        int fd, r;

        r = machine_cgroup_path(machine, &path);
        if (r == -ENOENT)
                return log_error_errno(r, "No cgroup2 file system is mounted; the container needs one.");
        if (r < 0)
                return log_error_errno(r, "Failed to find the cgroup2 mount: %m");
        payload = strprintf("%s/payload", path);
        procs = payload ? strprintf("%s/cgroup.procs", payload) : NULL;
        if (!procs)
                return -ENOMEM;

        r = mkdir_p(path, 0755);
        if (r < 0)
                return log_error_errno(r, "Failed to create cgroup '%s': %m", path);
        if (mkdir(payload, 0755) < 0 && errno != EEXIST) {
                r = negative_errno();
                (void) rmdir(path);
                return log_error_errno(r, "Failed to create cgroup '%s': %m", payload);
        }
        r = chown_delegated(payload, owner);
        if (r >= 0) {
                fd = open(procs, O_WRONLY | O_CLOEXEC);
                if (fd < 0)
                        r = negative_errno();
        }
        if (r < 0) {
                Cgroup cg = { .path = TAKE_PTR(path), .payload_procs_fd = -EBADF };

                (void) cgroup_destroy(&cg);
                return log_error_errno(r, "Failed to delegate cgroup '%s': %m", payload);
        }
        *ret = (Cgroup) { .path = TAKE_PTR(path), .payload_procs_fd = fd };
        return 0;
}

static int rmdir_depth_first(int parent_fd, const char *name) {
        _cleanup_close_ int fd = openat(parent_fd, name, O_DIRECTORY | O_CLOEXEC);
        DIR *d;
        struct dirent *de;
        int r = 0;

        if (fd < 0)
                return errno == ENOENT ? 0 : -errno;
        d = fdopendir(fd);
        if (!d)
                return -errno;
        fd = -EBADF; /* owned by d now */
        while ((de = readdir(d)))
                if (de->d_type == DT_DIR && !streq(de->d_name, ".") && !streq(de->d_name, "..")) {
                        int k = rmdir_depth_first(dirfd(d), de->d_name);
                        if (k < 0 && r == 0)
                                r = k;
                }
        closedir(d);
        if (r < 0)
                return r;

        /* A cgroup whose last process is still exiting is busy for a moment: wait up to 2 s. */
        for (int i = 0; i < 2000; i++) {
                if (unlinkat(parent_fd, name, AT_REMOVEDIR) >= 0 || errno == ENOENT)
                        return 0;
                if (errno != EBUSY)
                        return -errno;
                nanosleep(&(struct timespec) { .tv_nsec = 1000000 }, NULL);
        }
        return -EBUSY;
}

int cgroup_destroy(Cgroup *cg) {
        _cleanup_free_ char *kill_path = NULL, *parent = NULL;
        _cleanup_close_ int parent_fd = -EBADF;
        char *slash;
        int r;

        cg->payload_procs_fd = safe_close(cg->payload_procs_fd);
        if (!cg->path)
                return 0;

        kill_path = strprintf("%s/cgroup.kill", cg->path);
        if (!kill_path)
                return -ENOMEM;
        (void) write_string_at(AT_FDCWD, kill_path, "1"); /* kernel >= 5.14; otherwise PID 1's death suffices */

        parent = strdup(cg->path);
        if (!parent)
                return -ENOMEM;
        slash = strrchr(parent, '/');
        *slash = 0;
        parent_fd = open(parent, O_DIRECTORY | O_CLOEXEC);
        if (parent_fd < 0)
                return -errno;
        r = rmdir_depth_first(parent_fd, slash + 1);
        if (r < 0)
                log_warning_errno(r, "Failed to remove cgroup '%s', ignoring: %m", cg->path);
        /* the shared top directory goes when the last container is gone; EBUSY means others still run */
        (void) rmdir(parent);

        free(cg->path);
        cg->path = NULL;
        return r;
}

int cgroup_remove_stale(IsHeldFn machine_is_running) {
        _cleanup_free_ char *mnt = NULL, *top = NULL;
        struct dirent *de;
        DIR *d;

        if (cgroup2_find_mount(&mnt) < 0 || !(top = strprintf("%s/" CGROUP_TOP, mnt)))
                return 0; /* cgroup_create() will say what is wrong */
        d = opendir(top);
        if (!d)
                return 0;
        while ((de = readdir(d))) {
                Cgroup cg = CGROUP_NULL;

                if (de->d_type != DT_DIR || de->d_name[0] == '.' || machine_is_running(de->d_name))
                        continue;
                cg.path = strprintf("%s/%s", top, de->d_name);
                if (!cg.path)
                        break;
                log_info("Removing the cgroup '%s' that a killed launcher left behind.", cg.path);
                (void) cgroup_destroy(&cg);
        }
        closedir(d);
        return 0;
}
