/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* /run/host: the container manager's files, per systemd's container interface. Outer child: no allocation, no
 * logging. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include "fileio.h"
#include "macro.h"
#include "mounts.h"
#include "environ.h"
#include "runhost.h"

int run_host_fill(const MountPlan *p, int root_fd) {
        static const struct {
                const char *name;
                mode_t type;
        } inaccessible[] = {
                { "reg", S_IFREG }, { "dir", S_IFDIR }, { "fifo", S_IFIFO },
                { "sock", S_IFSOCK }, { "chr", S_IFCHR }, { "blk", S_IFBLK },
        };
        char uuid[40];
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        FdPath fp;
        int host, inacc, r;

        host = mkdir_p_in_root(root_fd, "run/host", 0755, p->uid, false);
        if (host < 0)
                return host;
        /* O_PATH fds cannot be written through; reopen the directory for real */
        r = openat(host, ".", O_DIRECTORY | O_CLOEXEC);
        safe_close(host);
        if (r < 0)
                return -errno;
        host = r;

        snprintf(uuid, sizeof uuid, "%s\n", p->uuid);
        r = write_file_at(host, "os-release", p->os_release, strlen(p->os_release), 0444, p->uid);
        if (r >= 0)
                r = write_file_at(host, "container-manager", CONTAINER_MANAGER "\n", STRLEN(CONTAINER_MANAGER "\n"),
                                  0444, p->uid);
        if (r >= 0)
                r = write_file_at(host, "container-uuid", uuid, strlen(uuid), 0444, p->uid);
        if (r < 0)
                goto finish;

        /* Placeholders that systemd (and our /proc masks) bind over things that must not be reachable. */
        if (mkdirat(host, "inaccessible", 0755) < 0) {
                r = -errno;
                goto finish;
        }
        inacc = openat(host, "inaccessible", O_DIRECTORY | O_CLOEXEC);
        if (inacc < 0) {
                r = -errno;
                goto finish;
        }
        for (size_t i = 0; i < ELEMENTSOF(inaccessible) && r >= 0; i++) {
                const char *n = inaccessible[i].name;

                if (inaccessible[i].type == S_IFDIR)
                        r = mkdirat(inacc, n, 0);
                else
                        r = mknodat(inacc, n, inaccessible[i].type, makedev(0, 0));
                if (r >= 0)
                        r = fchownat(inacc, n, p->uid, p->uid, AT_SYMLINK_NOFOLLOW);
                if (r >= 0)
                        r = fchmodat(inacc, n, 0, 0);
                r = r < 0 ? -errno : 0;
        }
        if (r >= 0 && fchmodat(host, "inaccessible", 0555, 0) < 0)
                r = -errno;
        safe_close(inacc);
        if (r < 0)
                goto finish;

        /* The notify socket was made by the parent; binding it here gives it a name only the container sees.
         * Only the container's root may send on it. */
        snprintf(sa.sun_path, sizeof sa.sun_path, "%s/notify", fd_path(fp, host));
        if (bind(p->notify_fd, (struct sockaddr *) &sa, sizeof sa) < 0 ||
            fchownat(host, "notify", p->uid, p->uid, 0) < 0 || fchmodat(host, "notify", 0600, 0) < 0) {
                r = -errno;
                goto finish;
        }

        /* credentials_mount() mounts on it, once /run/host is read-only */
        if (p->credentials->n > 0 && mkdirat(host, "credentials", 0500) < 0) {
                r = -errno;
                goto finish;
        }

        r = mount(fd_path(fp, host), fp, NULL, MS_BIND, NULL) < 0 ? -errno : 0;
        if (r >= 0)
                r = remount_in_root(root_fd, "run/host", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
finish:
        safe_close(host);
        return r;
}
