/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "cgroup.h"
#include "expose.h"
#include "fileio.h"
#include "lockfile.h"
#include "log.h"
#include "netconf.h"
#include "pids.h"
#include "propagate.h"
#include "settings.h"
#include "strutil.h"
#include "sweep.h"
#include "userns.h"
#include "view.h"

int export_record_write(const char *machine, const char *path) {
        _cleanup_close_ int dir = -EBADF;
        int r;

        r = mkdir_p(EXPORT_RECORD_DIR, 0700);
        if (r < 0)
                return r;
        dir = open(EXPORT_RECORD_DIR, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dir < 0)
                return -errno;
        return write_file_at(dir, machine, path, strlen(path), 0600, 0);
}

void export_record_remove(const char *machine) {
        _cleanup_free_ char *record = strprintf(EXPORT_RECORD_DIR "/%s", machine);

        if (record)
                (void) unlink(record);
}

/* The dead machine's export. The record is written before the file is created and removed after it is gone, so a
 * record names what a launcher of this machine may have left at its path: the namespace bind (unmounted only when it
 * still is one, nsfs), or, killed between creating the file and binding over it, the empty 0444 file it created.
 * Anything else found at that path was put there by someone else since, and is left alone. */
void export_remove_stale(const char *machine) {
        _cleanup_free_ char *record = strprintf(EXPORT_RECORD_DIR "/%s", machine), *path = NULL;
        struct statfs sfs;
        struct stat st;

        if (!record || read_full_file(record, &path, NULL) < 0)
                return;
        if (!path_is_normalized_absolute(path))
                ; /* not ours: never acted on */
        else if (statfs(path, &sfs) >= 0 && sfs.f_type == NSFS_MAGIC) {
                if (umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) >= 0) {
                        (void) unlink(path);
                        log_info("Removed the network namespace export '%s' that a killed launcher of '%s' left.",
                                 path, machine);
                }
        } else if (lstat(path, &st) >= 0 && S_ISREG(st.st_mode) && st.st_size == 0 && st.st_uid == 0 &&
                   (st.st_mode & 07777) == 0444)
                (void) unlink(path);
        (void) unlink(record);
}

/* Both forms of it (propagate.h): the host's point, and the namespace a live update moved it into. */
static void remove_propagation_point(const char *machine) {
        _cleanup_free_ char *ns = strprintf(PROPAGATE_NS_DIR "/%s", machine);
        char *path = strprintf(PROPAGATE_DIR "/%s", machine);

        if (path && ns && (faccessat(AT_FDCWD, path, F_OK, AT_SYMLINK_NOFOLLOW) >= 0 ||
                           faccessat(AT_FDCWD, ns, F_OK, AT_SYMLINK_NOFOLLOW) >= 0))
                log_info("Removing the store propagation point of '%s' that a killed launcher left.", machine);
        propagate_remove(&path);
}

/* Leftovers named by machine in dir: each is removed holding that machine's lock, taken here, so a launcher of the
 * same name starting meanwhile waits for us, or we leave it alone. */
static void sweep_by_machine(const char *dir, MachineIsRunningFn machine_is_running, void (*remove)(const char *)) {
        DIR *d = opendir(dir);
        struct dirent *de;

        if (!d)
                return;
        while ((de = readdir(d))) {
                _cleanup_free_ char *lock = NULL;
                int fd = -EBADF;

                if (de->d_name[0] == '.' || machine_is_running(de->d_name))
                        continue;
                lock = strprintf(MACHINE_LOCK_DIR "/%s", de->d_name);
                if (!lock || mkdir_p(MACHINE_LOCK_DIR, 0755) < 0 || lock_file(lock, &fd) < 0)
                        continue; /* started meanwhile, or cannot tell: not ours to touch */
                remove(de->d_name);
                (void) unlock_file(lock, fd);
        }
        closedir(d);
}

void sweep_machine(const char *machine) {
        _cleanup_free_ char *ports = strprintf(PORTS_RECORD_DIR "/%s", machine);

        /* (only with a record: libnftables is loaded when there is something to remove) */
        if (ports && access(ports, F_OK) >= 0)
                expose_remove_stale(machine);
        export_remove_stale(machine);
        remove_propagation_point(machine);
        (void) cgroup_remove_machine(machine);
        pids_remove_machine(machine);
}

void sweep_stale(MachineIsRunningFn machine_is_running) {
        /* lock files nobody holds, whoever made them (systemd-nspawn holds its own for its container's life too) */
        lock_dir_sweep(MACHINE_LOCK_DIR);
        lock_dir_sweep(NIXOS_NSPAWN_UID_LOCK_DIR);
        lock_dir_sweep(NSPAWN_UID_LOCK_DIR);
        /* the export first: its bind keeps the namespace and its links alive */
        sweep_by_machine(EXPORT_RECORD_DIR, machine_is_running, export_remove_stale);
        sweep_by_machine(PROPAGATE_DIR, machine_is_running, remove_propagation_point);
        sweep_by_machine(PROPAGATE_NS_DIR, machine_is_running, remove_propagation_point);
        /* views only killed launchers used (after their propagation points, which are clones of a view's tmpfs) */
        view_sweep();
        /* DNAT to a dead container's address: a reused address (another container's lease) would get its traffic */
        sweep_by_machine(PORTS_RECORD_DIR, machine_is_running, expose_remove_stale);
        (void) cgroup_remove_stale(machine_is_running);
        pids_remove_stale(machine_is_running);
        netconf_remove_stale_units(machine_is_running);
        netconf_remove_stale_zones();
}
