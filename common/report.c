/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <sys/socket.h>

#include "report.h"

int report_pair(int ret_fds[2]) {
        /* SEQPACKET: a message arrives whole or not at all, and EOF is seen once every other end is closed */
        return socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ret_fds) < 0 ? -errno : 0;
}

static int send_message(int fd, const Report *m) {
        ssize_t n;

        do
                n = send(fd, m, sizeof *m, MSG_NOSIGNAL);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return -errno;
        return n == sizeof *m ? 0 : -EIO;
}

int report_send(int fd, int kind, int64_t arg) {
        return send_message(fd, &(Report) { .kind = kind, .arg = arg });
}

int report_failure(int fd, int step, int error, int64_t index) {
        return send_message(fd, &(Report) { .kind = REPORT_FAILED, .step = step, .error = error < 0 ? error : -EIO,
                                             .arg = index });
}

int report_recv(int fd, Report *ret) {
        Report m;
        ssize_t n;

        do
                n = recv(fd, &m, sizeof m, 0);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return errno == ECONNRESET ? 0 : -errno;
        if (n == 0)
                return 0;
        if (n != sizeof m)
                return -EBADMSG;
        *ret = m;
        return 1;
}
