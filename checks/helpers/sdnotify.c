/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test helper, run inside containers by the nixos-nspawnctl fixture's init: sends its arguments, one per line,
 * as one datagram to $NOTIFY_SOCKET (sd_notify without libsystemd), in the name of its parent (as
 * `systemd-notify --pid=parent`: the launcher believes only PID 1, and a shell cannot send it itself; root of the
 * PID namespace's owner may name another PID in SCM_CREDENTIALS). Exits 1 when that fails. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char *argv[]) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        const char *path = getenv("NOTIFY_SOCKET");
        char msg[4096] = "";
        size_t len = 0;
        int fd;

        if (!path || strlen(path) >= sizeof sa.sun_path) {
                fprintf(stderr, "sdnotify: no usable NOTIFY_SOCKET\n");
                return 1;
        }
        for (int i = 1; i < argc; i++) {
                int n = snprintf(msg + len, sizeof msg - len, "%s\n", argv[i]);
                if (n < 0 || (size_t) n >= sizeof msg - len)
                        return 1;
                len += (size_t) n;
        }
        strcpy(sa.sun_path, path);
        if (sa.sun_path[0] == '@')
                sa.sun_path[0] = 0;
        struct ucred uc = { .pid = getppid(), .uid = getuid(), .gid = getgid() };
        char cbuf[CMSG_SPACE(sizeof uc)] = {};
        struct iovec iov = { .iov_base = msg, .iov_len = len };
        struct msghdr mh = { .msg_name = &sa, .msg_namelen = sizeof sa, .msg_iov = &iov, .msg_iovlen = 1,
                             .msg_control = cbuf, .msg_controllen = sizeof cbuf };
        struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);

        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_CREDENTIALS;
        cm->cmsg_len = CMSG_LEN(sizeof uc);
        memcpy(CMSG_DATA(cm), &uc, sizeof uc);
        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || sendmsg(fd, &mh, 0) < 0) {
                perror("sdnotify");
                return 1;
        }
        return 0;
}
