/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "credentials.h"
#include "fileio.h"
#include "log.h"
#include "mount-util.h"

static int load_one(const Credential *spec, LoadedCredential *ret) {
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *value = NULL;
        size_t size;
        int r;

        r = open_regular(spec->path, &fd); /* a FIFO in its place must not hang us */
        if (r < 0)
                return r;
        r = read_full_fd(fd, CREDENTIAL_SIZE_MAX + 1, &value, &size);
        if (r < 0)
                return r;
        if (size > CREDENTIAL_SIZE_MAX) {
                explicit_bzero(value, size);
                return -EFBIG;
        }
        ret->value = ret->loaded = TAKE_PTR(value);
        ret->size = size;
        return 0;
}

int credentials_load(const Settings *s, Credentials *ret) {
        Credentials c = {};
        int r;

        if (s->n_credentials == 0) {
                *ret = c;
                return 0;
        }
        c.items = calloc(s->n_credentials, sizeof(LoadedCredential));
        if (!c.items)
                return log_oom();
        for (; c.n < s->n_credentials; c.n++) {
                const Credential *spec = &s->credentials[c.n];
                LoadedCredential *l = &c.items[c.n];

                l->id = spec->id;
                if (!spec->path) {
                        l->value = spec->value;
                        l->size = spec->size;
                        continue;
                }
                r = load_one(spec, l);
                if (r < 0) {
                        credentials_done(&c);
                        return log_error_errno(r, "Failed to read credential '%s' from '%s': %m", spec->id, spec->path);
                }
        }
        *ret = c;
        return 0;
}

void credentials_done(Credentials *c) {
        for (size_t i = 0; i < c->n; i++)
                if (c->items[i].loaded) { /* secrets do not linger in freed memory */
                        explicit_bzero(c->items[i].loaded, c->items[i].size);
                        free(c->items[i].loaded);
                }
        free(c->items);
        *c = (Credentials) {};
}

/* A ramfs, not a tmpfs: never swapped out. Mounted after /run/host went read-only (a mount point needs no write
 * access), so the container's root cannot add to /run/host, but owns its credentials. */
int credentials_mount(const Credentials *c, int root_fd, uid_t uid) {
        FdPath fp;
        int fd, dir, r = 0;

        if (c->n == 0)
                return 0;
        fd = open_in_root(root_fd, CREDENTIALS_DIR, O_PATH | O_DIRECTORY);
        if (fd < 0)
                return fd;
        r = mount("credentials", fd_path(fp, fd), "ramfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0500") < 0 ? -errno
                                                                                                              : 0;
        safe_close(fd);
        if (r < 0)
                return r;
        dir = open_in_root(root_fd, CREDENTIALS_DIR, O_DIRECTORY);
        if (dir < 0)
                return dir;
        for (size_t i = 0; i < c->n && r >= 0; i++)
                r = write_file_at(dir, c->items[i].id, c->items[i].value, c->items[i].size, 0400, uid);
        if (r >= 0 && fchown(dir, uid, uid) < 0)
                r = -errno;
        safe_close(dir);
        if (r >= 0)
                r = remount_in_root(root_fd, CREDENTIALS_DIR, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
        return r;
}
