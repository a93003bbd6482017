/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* /proc and /sys for the container, mounted where the container cannot undo them.
 *
 * A mount is locked (it cannot be unmounted to reveal what it covers, and its read-only, nosuid, nodev and noexec
 * flags cannot be cleared) when the mount namespace it is in is copied into one owned by a less privileged user
 * namespace: that is how the store, /dev and /run are locked (made by the outer child with host privileges before
 * the copy). proc could not be made that way: it shows the PID namespace of whoever mounts it, and the
 * container's PID namespace did not exist yet. Mounted by PID 1 itself, the proc and its masks were the
 * container's own: root inside could unmount /proc/kallsyms' cover, or mount a fresh, unmasked proc elsewhere.
 * (Propagating the mounts into the container's namespace instead locks their flags, but not each propagated mount
 * itself: a mask could still be unmounted.)
 *
 * So the outer child leaves the mount namespace alone when it makes the container's other namespaces, and forks
 * this helper before it enters the container's user namespace. Once PID 1 exists, the helper joins PID 1's PID
 * and network namespaces and forks a process there (setns() to a PID namespace applies to children), which mounts
 * proc and binds the masks, and with a network namespace of the container's own, sysfs, in the outer child's mount
 * namespace, with host privileges. Then PID 1 unshares its mount namespace: the copy locks all of it, exactly as
 * the store. With every mask locked, /proc is no longer "fully visible" to the kernel, which then also refuses a
 * fresh proc mount in the container (mount_too_revealing()); systemd's ProtectProc= falls back to binding the
 * existing /proc. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "apifs.h"
#include "mount-table.h"
#include "sync.h"
#include "syscalls.h"

static int read_full(int fd, void *buf, size_t n) {
        ssize_t k;

        do
                k = read(fd, buf, n);
        while (k < 0 && errno == EINTR);
        if (k < 0)
                return -errno;
        return (size_t) k == n ? 0 : -EIO;
}

/* In PID 1's PID and network namespaces, with host privileges, in the outer child's mount namespace. */
_noreturn_ static void mount_api_fs(const ChildPlan *c, int sync_fd) {
        size_t index = 0;
        int root_fd, r;

        root_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root_fd < 0) {
                (void) report_failure(sync_fd, STEP_OPEN_ROOT, -errno, -1);
                _exit(EXIT_FAILURE);
        }
        r = mount_api(c->mounts, root_fd, MOUNT_BY_PROC_HELPER, &index);
        if (r < 0)
                (void) report_failure(sync_fd, STEP_MOUNT_API, r, (int64_t) index);
        _exit(r < 0 ? EXIT_FAILURE : EXIT_SUCCESS);
}

_noreturn_ static void helper(const ChildPlan *c, int sync_fd, int pid_fd, int done_fd) {
        char path[64];
        pid_t pid1, pid;
        int fd, r, status;

        (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
        /* EOF: the outer child failed before PID 1 existed, and said so itself. */
        if (read_full(pid_fd, &pid1, sizeof pid1) < 0)
                _exit(EXIT_FAILURE);

        /* Our /proc is the placeholder: it shows the host's PIDs, and us everything. */
        for (const char *ns = "pid\0net\0"; *ns; ns += strlen(ns) + 1) {
                snprintf(path, sizeof path, "/proc/%d/ns/%s", (int) pid1, ns);
                fd = open(path, O_RDONLY | O_CLOEXEC);
                r = fd < 0 ? -errno : setns(fd, 0) < 0 ? -errno : 0;
                safe_close(fd);
                if (r < 0) {
                        (void) report_failure(sync_fd, STEP_JOIN_PID1_NAMESPACES, r, -1);
                        _exit(EXIT_FAILURE);
                }
        }
        pid = raw_clone(SIGCHLD);
        if (pid < 0) {
                (void) report_failure(sync_fd, STEP_JOIN_PID1_NAMESPACES, -errno, -1);
                _exit(EXIT_FAILURE);
        }
        if (pid == 0)
                mount_api_fs(c, sync_fd);
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        _exit(EXIT_FAILURE);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                _exit(EXIT_FAILURE);
        if (write(done_fd, "", 1) != 1)
                _exit(EXIT_FAILURE);
        _exit(EXIT_SUCCESS);
}

int apifs_start(const ChildPlan *c, int sync_fd, ApiFsHelper *ret) {
        int pid_pipe[2], done_pipe[2];
        pid_t pid;

        if (pipe2(pid_pipe, O_CLOEXEC) < 0)
                return -errno;
        if (pipe2(done_pipe, O_CLOEXEC) < 0) {
                int r = -errno;
                safe_close(pid_pipe[0]);
                safe_close(pid_pipe[1]);
                return r;
        }
        pid = raw_clone(SIGCHLD);
        if (pid < 0) {
                int r = -errno;
                safe_close(pid_pipe[0]);
                safe_close(pid_pipe[1]);
                safe_close(done_pipe[0]);
                safe_close(done_pipe[1]);
                return r;
        }
        if (pid == 0) {
                safe_close(pid_pipe[1]);
                safe_close(done_pipe[0]);
                helper(c, sync_fd, pid_pipe[0], done_pipe[1]);
        }
        /* Only the helper may hold the write end of done: its exit must read as EOF to PID 1. */
        safe_close(pid_pipe[0]);
        safe_close(done_pipe[1]);
        *ret = (ApiFsHelper) { .pid = pid, .pid_fd = pid_pipe[1], .done_fd = done_pipe[0] };
        return 0;
}

void apifs_release(ApiFsHelper *h, pid_t pid1) {
        int status;

        if (write(h->pid_fd, &pid1, sizeof pid1) != sizeof pid1)
                (void) kill(h->pid, SIGKILL);
        h->pid_fd = safe_close(h->pid_fd);
        h->done_fd = safe_close(h->done_fd);
        while (waitpid(h->pid, &status, 0) < 0 && errno == EINTR)
                ;
}

int apifs_wait(ApiFsHelper *h) {
        char c;
        int r;

        h->pid_fd = safe_close(h->pid_fd);
        r = read_full(h->done_fd, &c, 1);
        h->done_fd = safe_close(h->done_fd);
        return r < 0 ? -EIO : 0;
}
