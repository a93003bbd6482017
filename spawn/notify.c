/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "notify.h"
#include "strutil.h"

int notify_socket_new(int *ret_fd) {
        int fd, one = 1;

        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return -errno;
        if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof one) < 0) {
                int r = -errno;
                safe_close(fd);
                return r;
        }
        *ret_fd = fd;
        return 0;
}

int notify_recv_from(int fd, pid_t sender, char *buf, size_t size) {
        union {
                struct cmsghdr h;
                char space[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int) * 16)];
        } control;
        struct iovec iov = { .iov_base = buf, .iov_len = size - 1 };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &control, .msg_controllen = sizeof control };
        struct ucred *cred = NULL;
        ssize_t n;

        /* MSG_TRUNC: the datagram's real length, so that a truncated one is recognised (and dropped) */
        n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC | MSG_TRUNC);
        if (n < 0)
                return errno == EAGAIN || errno == EINTR ? 0 : -errno;

        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
                if (c->cmsg_level != SOL_SOCKET)
                        continue;
                if (c->cmsg_type == SCM_CREDENTIALS && c->cmsg_len == CMSG_LEN(sizeof(struct ucred)))
                        cred = (struct ucred *) CMSG_DATA(c);
                else if (c->cmsg_type == SCM_RIGHTS) /* we take no fds: close what was passed */
                        for (int *f = (int *) CMSG_DATA(c); (char *) f < (char *) c + c->cmsg_len; f++)
                                safe_close(*f);
        }
        if ((size_t) n >= size || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) || !cred || cred->pid != sender)
                return 0; /* truncated, or not from the one we listen to: ignore */
        buf[n] = 0;
        return 1;
}

int notify_receive(int fd, pid_t leader, bool *ret_ready, char *ret_status, size_t status_size) {
        char buf[4096];
        int r;

        *ret_ready = false;
        if (status_size > 0)
                ret_status[0] = 0;
        r = notify_recv_from(fd, leader, buf, sizeof buf);
        if (r <= 0)
                return r;
        for (char *line = buf; line && *line;) {
                char *next = strchr(line, '\n');
                const char *v;

                if (next)
                        *next++ = 0;
                if (streq(line, "READY=1"))
                        *ret_ready = true;
                else if ((v = startswith(line, "STATUS=")) && status_size > 0) {
                        strncpy(ret_status, v, status_size - 1);
                        ret_status[status_size - 1] = 0;
                }
                line = next;
        }
        return 1;
}
