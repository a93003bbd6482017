/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <sys/socket.h>

#include "sync.h"
#include "testhook.h"

int sync_pair(int ret_fds[2]) {
        return socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ret_fds) < 0 ? -errno : 0;
}

static int send_message(int fd, const SyncMessage *m) {
        ssize_t n;

        do
                n = send(fd, m, sizeof *m, MSG_NOSIGNAL);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return -errno;
        return n == sizeof *m ? 0 : -EIO;
}

int sync_send(int fd, SyncKind kind, int64_t arg) {
        return send_message(fd, &(SyncMessage) { .kind = kind, .arg = arg });
}

int sync_send_failure(int fd, int step, int error, int64_t arg) {
        return send_message(fd, &(SyncMessage) { .kind = SYNC_FAILED, .step = step, .error = error, .arg = arg });
}

int sync_recv(int fd, SyncMessage *ret) {
        SyncMessage m;
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

void sync_point(SyncPoint n) {
        test_stop_at((int) n);
}
