/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "svcmgr.h"

int svcmgr_notify(const char *state) {
        const char *e = getenv("NOTIFY_SOCKET");
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        struct iovec iov = { .iov_base = (void *) state, .iov_len = strlen(state) };
        struct msghdr mh = { .msg_name = &sa, .msg_iov = &iov, .msg_iovlen = 1 };
        size_t n;
        int fd, r = 0;

        if (!e || !*e)
                return 0;
        n = strlen(e);
        if ((e[0] != '/' && e[0] != '@') || n < 2 || n >= sizeof sa.sun_path)
                return -EINVAL;
        memcpy(sa.sun_path, e, n);
        if (sa.sun_path[0] == '@')
                sa.sun_path[0] = '\0'; /* abstract: no terminating NUL, the length says where it ends */
        mh.msg_namelen = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + n + (e[0] == '/'));

        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        if (sendmsg(fd, &mh, MSG_NOSIGNAL) < 0)
                r = -errno;
        close(fd);
        return r < 0 ? r : 1;
}

int svcmgr_notifyf(const char *fmt, ...) {
        char buf[1024]; /* our messages are a line or two; a longer one is cut, not lost */
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(buf, sizeof buf, fmt, ap);
        va_end(ap);
        return svcmgr_notify(buf);
}

bool svcmgr_booted(void) {
        struct stat st;

        /* systemd makes this directory early at boot, and only systemd does */
        return lstat("/run/systemd/system/", &st) == 0 && S_ISDIR(st.st_mode);
}
