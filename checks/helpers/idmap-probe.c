/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Says whether the file system of each PATH lets itself be idmapped, judged independently of the launcher (whose
 * decision the tests check against this): "PATH<TAB>idmap ok" or "PATH<TAB>idmap refused ERRNO-NAME". Exits 0 when
 * every PATH was asked, 2 on a usage or set-up error.
 *
 *   idmap-probe PATH...
 *
 * The idmapping is 0 -> 1000000 (65536 IDs) in a user namespace of a short-lived child; the mount tried is a
 * detached clone, so nothing is mounted anywhere. */
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int write_map(pid_t pid, const char *file) {
        char path[64];
        int fd, r;

        snprintf(path, sizeof path, "/proc/%d/%s", (int) pid, file);
        fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -1;
        r = dprintf(fd, "0 1000000 65536\n") < 0 ? -1 : 0;
        close(fd);
        return r;
}

int main(int argc, char **argv) {
        int ready[2], userns;
        char c, path[64];
        pid_t pid;

        if (argc < 2) {
                fprintf(stderr, "usage: idmap-probe PATH...\n");
                return 2;
        }
        if (pipe(ready) < 0)
                return 2;
        pid = fork();
        if (pid < 0)
                return 2;
        if (pid == 0) {
                if (unshare(CLONE_NEWUSER) < 0)
                        _exit(1);
                (void) write(ready[1], "x", 1);
                pause();
                _exit(0);
        }
        close(ready[1]);
        snprintf(path, sizeof path, "/proc/%d/ns/user", (int) pid);
        if (read(ready[0], &c, 1) != 1 || write_map(pid, "uid_map") < 0 || write_map(pid, "gid_map") < 0 ||
            (userns = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
                fprintf(stderr, "idmap-probe: cannot set up a user namespace: %s\n", strerror(errno));
                kill(pid, SIGKILL);
                return 2;
        }
        kill(pid, SIGKILL);
        (void) waitpid(pid, NULL, 0);

        for (int i = 1; i < argc; i++) {
                struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (unsigned) userns };
                int fd = (int) syscall(SYS_open_tree, AT_FDCWD, argv[i], OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);

                if (fd < 0) {
                        fprintf(stderr, "idmap-probe: cannot clone '%s': %s\n", argv[i], strerror(errno));
                        return 2;
                }
                if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH, &attr, sizeof attr) == 0)
                        printf("%s\tidmap ok\n", argv[i]);
                else
                        printf("%s\tidmap refused %s\n", argv[i], strerrorname_np(errno) ?: "?");
                close(fd);
        }
        return 0;
}
