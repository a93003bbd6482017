/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The machine's presence on the host, apart from the container's set-up: the lock on its name (held for the
 * container's life; what says it runs), which unit holds a running one, and its network namespace as a file (one
 * given to join, or ours exported for `ip netns exec` and NetworkNamespacePath=). */
#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "escape.h"
#include "fileio.h"
#include "inputs.h"
#include "lockfile.h"
#include "log.h"
#include "machine.h"
#include "macro.h"
#include "strutil.h"
#include "sweep.h"

bool machine_is_running(const char *name) {
        _cleanup_free_ char *path = NULL;

        path = strprintf(MACHINE_LOCK_DIR "/%s", name);
        if (!path)
                return true; /* when in doubt, do not touch it */
        return lock_is_held_now(path); /* the sweep's question: lockfile.h */
}

/* Which unit runs machine name, from systemd-machined's record of it ("" when it has none): the message that
 * refuses a second start names the way in that holds it (machinectl start while nixos-nspawn@NAME runs it). */
static void machine_unit(const char *name, char *buf, size_t size) {
        _cleanup_free_ char *path = strprintf("/run/systemd/machines/%s", name), *text = NULL;
        const char *unit = NULL;

        buf[0] = '\0';
        if (!path || read_full_file(path, &text, NULL) < 0)
                return;
        for (char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
                if (startswith(l, "SCOPE=")) { /* machined's name for the machine's unit, service or scope */
                        unit = l + STRLEN("SCOPE=");
                        break;
                }
        if (unit)
                escape_line(unit, strcspn(unit, "\n"), buf, size);
}

int machine_lock(const char *name, char **ret_path, int *ret_fd) {
        _cleanup_free_ char *path = NULL;
        int fd = -EBADF, r;

        r = mkdir_p(MACHINE_LOCK_DIR, 0755);
        if (r < 0)
                return log_error_errno(r, "Failed to create '%s': %m", MACHINE_LOCK_DIR);
        lock_dir_sweep(MACHINE_LOCK_DIR);
        path = strprintf(MACHINE_LOCK_DIR "/%s", name);
        if (!path)
                return log_oom();
        r = lock_file(path, &fd);
        if (r == -EWOULDBLOCK) {
                char unit[256];

                machine_unit(name, unit, sizeof unit);
                if (unit[0])
                        return log_error_errno(-EBUSY, "Machine '%s' is already running, as %s: not starting it "
                                               "a second time.", name, unit);
                return log_error_errno(-EBUSY, "Machine '%s' is already running.", name);
        }
        if (r < 0)
                return log_error_errno(r, "Failed to lock machine '%s': %m", name);
        *ret_path = TAKE_PTR(path);
        *ret_fd = fd;
        return 0;
}

/* --network-namespace-export: the container's network namespace at a path, for `ip netns exec` and
 * NetworkNamespacePath=, while it runs. */
int netns_export(const char *machine, const char *path, pid_t pid1, bool *ret_exported) {
        _cleanup_free_ char *dir = NULL, *ns = NULL;
        int fd, r;

        if (!path)
                return 0;
        dir = strdup(path);
        ns = strprintf("/proc/%d/ns/net", (int) pid1);
        if (!dir || !ns)
                return log_oom();
        *strrchr(dir, '/') = 0;
        r = mkdir_p(isempty(dir) ? "/" : dir, 0755);
        if (r < 0)
                return log_error_errno(r, "Failed to create '%s': %m", dir);
        /* recorded first, before anything exists at the path: killed from here on, the next start finds the record
         * and removes what we made (sweep.c) */
        r = export_record_write(machine, path);
        if (r < 0)
                return log_error_errno(r, "Failed to record the network namespace export '%s': %m", path);
        /* O_EXCL: a file that is there already is not ours to bind over, nor to remove at exit */
        fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0444);
        if (fd < 0) {
                r = log_error_errno(negative_errno(), "Failed to create '%s': %m", path);
                export_record_remove(machine);
                return r;
        }
        (void) fchmod(fd, 0444); /* whatever the umask: what a stale-export removal recognizes as ours */
        safe_close(fd);
        if (mount(ns, path, NULL, MS_BIND, NULL) < 0) {
                r = log_error_errno(negative_errno(), "Failed to export the network namespace at '%s': %m", path);
                (void) unlink(path);
                export_record_remove(machine);
                return r;
        }
        *ret_exported = true;
        return 0;
}

void netns_unexport(const char *machine, const char *path, bool *exported) {
        if (!*exported)
                return;
        if (umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) < 0)
                log_warning_errno(negative_errno(), "Failed to unmount '%s', ignoring: %m", path);
        (void) unlink(path);
        export_record_remove(machine);
        *exported = false;
}
/* --network-namespace-path: a regular (nsfs) file, never a FIFO that would block the open, and a network
 * namespace, not some other namespace or file that setns() would refuse only in the child. */
int netns_open(const char *path, int *ret_fd) {
        _cleanup_close_ int fd = -EBADF;
        int r;

        r = open_regular(path, &fd);
        if (r == -EBADFD || r == -EISDIR)
                return log_invalid("Invalid --network-namespace-path '%s': it is %s, not a namespace file.", path,
                                   file_type_name(path));
        if (r < 0)
                return log_error_errno(r, "Failed to open network namespace '%s': %m", path);
        r = ioctl(fd, NS_GET_NSTYPE);
        if (r != CLONE_NEWNET)
                return log_invalid("Invalid --network-namespace-path '%s': not a network namespace.", path);
        *ret_fd = TAKE_FD(fd);
        return 0;
}
