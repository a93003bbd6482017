/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "id128.h"
#include "idmap.h"
#include "link-journal.h"
#include "log.h"
#include "macro.h"
#include "strutil.h"
#include "userns.h"

#define JOURNAL_DIR "/var/log/journal"

/* Only where the host has no machine-id: names must still map to the same ID at every start. */
static const uint8_t machine_id_fallback_key[16] = { 0x6e, 0x6e, 0x2d, 0x6d, 0x61, 0x63, 0x68, 0x69,
                                                     0x6e, 0x65, 0x2d, 0x69, 0x64, 0x2d, 0x6b, 0x79 };

/* An image's own /etc/machine-id (-D): systemd inside uses it rather than container_uuid=, so the journal directory
 * must be named by it, as systemd-nspawn does. Read within the image (RESOLVE_IN_ROOT: its symlinks cannot lead
 * to host files), at most one line; anything but an ID ("uninitialized", empty) is none. */
static int image_machine_id(const char *directory, sd_id128_t *ret) {
        struct open_how how = { .flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
                                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
        _cleanup_close_ int root = -EBADF, fd = -EBADF;
        char buf[40] = {};
        struct stat st;
        ssize_t n;

        root = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (root < 0)
                return -errno;
        fd = (int) syscall(SYS_openat2, root, "etc/machine-id", &how, sizeof how);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
                return -EBADMSG;
        n = read(fd, buf, sizeof buf - 1);
        if (n < 32)
                return -EBADMSG;
        buf[32] = '\0';
        if (id128_from_string(buf, ret) < 0 || sd_id128_is_null(*ret))
                return -EBADMSG;
        return 0;
}

int machine_id_pick(Settings *s) {
        sd_id128_t host;

        if (!sd_id128_is_null(s->uuid))
                return 0;
        if (s->directory && image_machine_id(s->directory, &s->uuid) >= 0)
                return 0;
        if (id128_read_machine_id(&host) >= 0)
                s->uuid = id128_from_keyed_name(host.bytes, s->machine);
        else
                s->uuid = id128_from_keyed_name(machine_id_fallback_key, s->machine);
        return 0;
}

/* The owner root inside must have for journald to write there: with a user namespace the bind is foreign-mapped
 * (bind_idmap()), so container root is FOREIGN_UID_BASE on disk; without one it is root. */
static uid_t journal_owner(const Settings *s) {
        BindMount probe = { .read_only = false, .idmap = IDMAP_AUTO };

        return bind_idmap(&probe, s->userns != USERNS_NO) == IDMAP_FOREIGN ? FOREIGN_UID_BASE : 0;
}

/* 1: path is a directory to bind (made now when make), 0: none to bind (try modes, auto), <0: logged error. */
static int journal_dir(const Settings *s, const char *path, bool make) {
        bool try = s->link_journal_try || s->link_journal == LINK_JOURNAL_AUTO;
        uid_t owner = journal_owner(s);
        struct stat st;

        if (make && mkdir(path, 0755) >= 0) {
                /* made here: owned as root inside will see it (0755, as systemd-nspawn makes it; tmpfiles inside
                 * sets its own group and mode on it) */
                if (chown(path, owner, owner) < 0) {
                        int r = negative_errno();

                        (void) rmdir(path);
                        return log_error_errno(r, "Failed to chown '%s' to %u: %m", path, (unsigned) owner);
                }
                return 1;
        }
        if (make && errno != EEXIST) {
                /* not its parents: a host without /var/log/journal keeps no persistent journal of its own */
                if (try) {
                        log_debug_errno(negative_errno(), "Not linking the journal: cannot create '%s': %m", path);
                        return 0;
                }
                return log_error_errno(negative_errno(), "Failed to create '%s' for --link-journal=host: %m", path);
        }
        if (lstat(path, &st) < 0) {
                if (errno == ENOENT && !make)
                        return 0; /* auto: the host has none for this machine */
                return log_error_errno(negative_errno(), "Failed to look at '%s': %m", path);
        }
        /* a symlink (systemd-nspawn's --link-journal=guest leaves one) would be followed into wherever it points */
        if (!S_ISDIR(st.st_mode)) {
                if (try) {
                        log_warning("Not linking the journal: '%s' is not a directory.", path);
                        return 0;
                }
                return log_error_errno(-ENOTDIR, "Cannot link the journal: '%s' is not a directory.", path);
        }
        if (st.st_uid != owner)
                log_warning("'%s' is owned by %u, not %u: the container's journald may not write there.", path,
                            (unsigned) st.st_uid, (unsigned) owner);
        return 1;
}

/* With a user namespace the bind is idmapped to the foreign range, which some file systems refuse (overlayfs, NFS,
 * 9p, ZFS before 2.2): asked here, of the directory or else /var/log/journal, before anything is made there. 1: it can be, 0: it cannot
 * (logged: a warning for the try modes, an error otherwise, naming the file system), <0: a logged error. */
static int journal_idmap_ok(const Settings *s, const char *path, bool try) {
        _cleanup_close_ int userns_fd = -EBADF;
        char fs[32];
        int r;

        if (journal_owner(s) != FOREIGN_UID_BASE)
                return 1; /* not idmapped */
        /* a throwaway namespace mapping the foreign range, as the one the real bind gets (spawn.c) */
        r = userns_make(FOREIGN_UID_BASE, FOREIGN_UID_SIZE, &userns_fd);
        if (r < 0)
                return log_error_errno(r, "Failed to create a user namespace to probe '%s': %m", JOURNAL_DIR);
        /* the directory itself when it is there (it may be a mount of its own), else where it would be made */
        if (access(path, F_OK) < 0)
                path = JOURNAL_DIR;
        r = idmap_supported(path, false, userns_fd);
        if (r == -ENOENT)
                return 1; /* no persistent journal here: journal_dir() says so */
        if (r < 0)
                return log_error_errno(r, "Failed to probe '%s' for idmapping: %m", path);
        if (r > 0)
                return 1;
        idmap_fs_name(path, fs, sizeof fs);
        /* Security: a writable bind is never quietly unmapped (idmap.c); the try modes link nothing instead. */
        if (try) {
                log_warning("Not linking the journal: '%s' is on a file system that cannot be idmapped (%s).",
                            path, fs);
                return 0;
        }
        return log_error_errno(-EOPNOTSUPP, "Cannot link the journal: '%s' is on a file system that cannot be "
                               "idmapped (%s); use --link-journal=try-host, or no.", path, fs);
}

int journal_link_prepare(Settings *s) {
        bool try = s->link_journal_try || s->link_journal == LINK_JOURNAL_AUTO;
        char id[SD_ID128_STRING_MAX], path[sizeof JOURNAL_DIR + SD_ID128_STRING_MAX + 1];
        _cleanup_free_ char *spec = NULL;
        sd_id128_t host;
        int r;

        if (s->link_journal == LINK_JOURNAL_NO || s->link_journal == LINK_JOURNAL_GUEST)
                return 0;
        /* the host's own directory would be bound in writable: never */
        if (id128_read_machine_id(&host) >= 0 && sd_id128_equal(host, s->uuid)) {
                if (try) {
                        log_warning("Not linking the journal: the container's machine ID is the host's.");
                        return 0;
                }
                return log_error_errno(-EEXIST, "Cannot link the journal: the container's machine ID %s is the host's.",
                                       id128_to_string(s->uuid, id));
        }
        snprintf(path, sizeof path, JOURNAL_DIR "/%s", id128_to_string(s->uuid, id));
        if (s->link_journal == LINK_JOURNAL_AUTO && access(path, F_OK) < 0)
                return 0; /* the common case: nothing to link, nothing to probe */
        r = journal_idmap_ok(s, path, try);
        if (r <= 0)
                return r;
        r = journal_dir(s, path, s->link_journal == LINK_JOURNAL_HOST);
        if (r <= 0)
                return r;
        spec = strprintf("%s:%s:norbind", path, path);
        if (!spec)
                return log_oom();
        r = settings_add_bind(s, spec, false);
        if (r < 0)
                return log_error_errno(r, "Failed to add the journal's bind '%s': %m", path);
        log_debug("The container's journal is kept in '%s'.", path);
        return 0;
}
