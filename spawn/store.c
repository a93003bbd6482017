/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "log.h"
#include "process.h"
#include "siphash.h"
#include "store.h"
#include "strutil.h"
#include "syscalls.h"

#define STORE_HASH_LEN 32
#define STORE_NAME_MAX 211 /* Nix's limit on the name part */

void closure_done(Closure *c) {
        for (size_t i = 0; i < c->n; i++)
                free(c->names[i]);
        free(c->names);
        free(c->types);
        *c = (Closure) {};
}

static bool is_nix_base32(char c) {
        /* Nix's base32 alphabet: digits and lowercase letters without e, o, u, t */
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z' && !strchr("eout", c));
}

static bool is_name_char(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || strchr("+-._?=", c);
}

int store_path_check(const char *store_dir, const char *line, const char **ret_name, const char **ret_reason) {
        const char *name;
        size_t len;

#define FAIL(why)                       \
        do {                            \
                *ret_reason = (why);    \
                return -EINVAL;         \
        } while (0)

        if (isempty(line))
                FAIL("empty line");
        if (string_has_cc(line))
                FAIL("contains control characters");
        if (line[0] != '/')
                FAIL("not an absolute path");
        name = path_startswith(line, store_dir);
        if (!name || isempty(name))
                FAIL("not below the store directory");
        if (strchr(name, '/'))
                FAIL("not exactly one component below the store directory");
        if (streq(name, ".") || streq(name, ".."))
                FAIL("'.' or '..' is not a store path");
        len = strlen(name);
        if (len < STORE_HASH_LEN + 2 || name[STORE_HASH_LEN] != '-')
                FAIL("not of the form <hash>-<name>");
        for (size_t i = 0; i < STORE_HASH_LEN; i++)
                if (!is_nix_base32(name[i]))
                        FAIL("the hash part is not Nix base32");
        if (len - STORE_HASH_LEN - 1 > STORE_NAME_MAX)
                FAIL("the name part is too long");
        for (const char *p = name + STORE_HASH_LEN + 1; *p; p++)
                if (!is_name_char(*p))
                        FAIL("the name part has a character Nix does not allow");
        if (name[STORE_HASH_LEN + 1] == '.')
                FAIL("the name part starts with '.'");
#undef FAIL
        *ret_name = name;
        return 0;
}

static int closure_push(Closure *c, const char *name) {
        if (c->n == c->allocated) {
                size_t a = c->allocated ? c->allocated * 2 : 64;
                char **l = reallocarray(c->names, a, sizeof(char *));

                if (!l)
                        return log_oom();
                c->names = l;
                c->allocated = a;
        }
        c->names[c->n] = strdup(name);
        if (!c->names[c->n])
                return log_oom();
        c->n++;
        return 0;
}

static int cmp_names(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

int closure_add_text(Closure *c, const char *store_dir, const char *text, const char *origin) {
        size_t first = c->n, line_no = 0;
        const char *p = text;
        int r;

        while (*p) {
                const char *end = strchrnul(p, '\n');
                _cleanup_free_ char *line = strndup(p, end - p);
                const char *name, *reason;

                if (!line)
                        return log_oom();
                line_no++;
                r = store_path_check(store_dir, line, &name, &reason);
                if (r < 0)
                        return log_invalid("Invalid store path on line %zu of %s: '%s': %s.", line_no, origin,
                                           line, reason);
                r = closure_push(c, name);
                if (r < 0)
                        return r;
                p = *end ? end + 1 : end;
        }
        if (c->n == first)
                return log_invalid("Closure %s lists no store path.", origin);

        /* nix-store -qR and closureInfo never repeat a path; a repeat means the file is not what it claims */
        qsort(c->names + first, c->n - first, sizeof(char *), cmp_names);
        for (size_t i = first + 1; i < c->n; i++)
                if (streq(c->names[i - 1], c->names[i]))
                        return log_invalid("Closure %s lists '%s/%s' twice.", origin, store_dir, c->names[i]);
        return 0;
}

int closure_add_file(Closure *c, const char *store_dir, const char *path) {
        _cleanup_free_ char *text = NULL;
        size_t size;
        int r;

        r = read_full_file(path, &text, &size);
        if (r == -EBADFD || r == -EISDIR)
                return log_invalid("Cannot read --closure '%s': it is %s, not a regular file.", path,
                                   file_type_name(path));
        if (r < 0)
                return log_error_errno(r, "Failed to read closure '%s': %m", path);
        if (strlen(text) != size)
                return log_invalid("Invalid closure '%s': contains a NUL byte.", path);
        return closure_add_text(c, store_dir, text, path);
}

/* What nix-store said on its stderr, as the one line that matters: its first "error:" line, else its last line.
 * (Passed through raw it would come before our own message, over several lines, with whatever bytes it holds.) */
static void nix_store_complaint(int fd, char *buf, size_t size) {
        ssize_t n = pread(fd, buf, size - 1, 0);
        char *line = NULL, *last = NULL;

        buf[n > 0 ? n : 0] = 0;
        for (char *p = buf, *end; *p; p = end) {
                end = strchrnul(p, '\n');
                if (*end)
                        *end++ = 0;
                if (*p)
                        last = p;
                if (!line && startswith(p, "error:"))
                        line = p;
        }
        line = line ?: last;
        memmove(buf, line ?: "(nothing on its stderr)", strlen(line ?: "(nothing on its stderr)") + 1);
}

/* Runs `nix-store -qR PATH` and reads its output. */
int closure_add_store_path(Closure *c, const char *store_dir, const char *path) {
        _cleanup_free_ char *out = NULL;
        _cleanup_close_ int err_fd = -EBADF;
        const char *name, *reason;
        char complaint[1024];
        int r;

        r = store_path_check(store_dir, path, &name, &reason);
        if (r < 0)
                return log_invalid("Invalid --store-path '%s': %s.", path, reason);

        err_fd = memfd_create("nix-store-stderr", MFD_CLOEXEC);
        if (err_fd < 0)
                return log_error_errno(negative_errno(), "Failed to create a memfd: %m");
        {
                char *argv[] = { (char *) "nix-store", (char *) "--query", (char *) "--requisites", (char *) path, NULL };

                r = process_run(argv, -EBADF, err_fd, &out);
        }
        if (r == -ENOENT)
                return log_error_errno(r, "--store-path='%s' needs Nix to compute its closure, but nix-store "
                                       "is not installed; give --closure=FILE instead.", path);
        if (r < 0)
                return log_error_errno(r, "Failed to read the closure of '%s': %m", path);
        if (r != 0) {
                nix_store_complaint(err_fd, complaint, sizeof complaint);
                return log_error_errno(-EIO, "nix-store could not compute the closure of '%s': %s", path,
                                       complaint);
        }
        return closure_add_text(c, store_dir, out, path);
}

int closure_finish(Closure *c, const char *store_dir) {
        _cleanup_close_ int dfd = -EBADF;
        size_t j = 0;

        if (c->n == 0)
                return 0;
        /* closure_add_text() leaves each file sorted: one file (the usual case) needs no second sort */
        for (size_t i = 1; i < c->n; i++)
                if (strcmp(c->names[i - 1], c->names[i]) > 0) {
                        qsort(c->names, c->n, sizeof(char *), cmp_names);
                        break;
                }
        for (size_t i = 0; i < c->n; i++) {
                if (j > 0 && streq(c->names[j - 1], c->names[i])) {
                        free(c->names[i]);
                        continue;
                }
                c->names[j++] = c->names[i];
        }
        c->n = j;

        /* (run again, as after more closure_add_*(), it starts over: the old types may be for other names) */
        free(c->types);
        c->types = malloc(c->n);
        if (!c->types)
                return log_oom();
        dfd = open(store_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return log_error_errno(negative_errno(), "Failed to open the store '%s': %m", store_dir);
        c->identity = 0;
        for (size_t i = 0; i < c->n; i++) {
                static const uint8_t key[16] = "nixos-nspawn-id";
                struct stat st;
                uint64_t link[4];

                if (fstatat(dfd, c->names[i], &st, AT_SYMLINK_NOFOLLOW) < 0)
                        return log_error_errno(negative_errno(), "Store path '%s/%s' of the closure: %m", store_dir,
                                               c->names[i]);
                if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))
                        return log_invalid("Store path '%s/%s' is neither a directory, a file nor a symlink.",
                                           store_dir, c->names[i]);
                /* kept for the child, which then needs no second stat per path */
                c->types[i] = S_ISDIR(st.st_mode) ? 'd' : S_ISREG(st.st_mode) ? 'f' : 'l';
                /* a chain: the stat() above is the only per-path cost of knowing whether a view is stale */
                link[0] = c->identity;
                link[1] = (uint64_t) st.st_dev;
                link[2] = (uint64_t) st.st_ino;
                link[3] = (uint64_t) st.st_mode;
                c->identity = siphash24(link, sizeof link, key);
        }
        return 0;
}

/* Each path is bound with one mount(MS_BIND) from inside a chroot into the store view, relative to the destination:
 * open_tree() + move_mount() + close() did the same in three calls, and OPEN_TREE_CLONE also allocates an
 * anonymous mount namespace and a file per clone (make bench, section 2).
 *
 * mount(2) follows a symlink at the source's last component (open_tree() had AT_SYMLINK_NOFOLLOW). A store path's
 * type is not fixed by its hash (an input-addressed output can come back as a symlink after a garbage collection),
 * so one could turn into a symlink after closure_finish() looked. Chrooted into the read-only, idmapped view of the
 * store, whatever it points to resolves inside that view: at worst another store path, never the host's root or
 * a writable, unmapped mount. */
int store_mount_closure(const Closure *c, int src_store_fd, int dst_store_fd, size_t *ret_failed) {
        char source[1 + STORE_HASH_LEN + 1 + STORE_NAME_MAX + 1] = "/";
        int old_root, r = 0;

        *ret_failed = 0;
        old_root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (old_root < 0)
                return negative_errno();
        if (fchdir(src_store_fd) < 0 || chroot(".") < 0 || fchdir(dst_store_fd) < 0) {
                r = negative_errno();
                goto restore;
        }
        for (size_t i = 0; i < c->n; i++) {
                const char *name = c->names[i];

                /* A symlink store path is not a mount point candidate: recreate it; it points into the store */
                if (c->types[i] == 'l') {
                        char target[4096];
                        ssize_t n = readlinkat(src_store_fd, name, target, sizeof target - 1);

                        if (n < 0)
                                goto fail;
                        target[n] = 0;
                        if (symlinkat(target, dst_store_fd, name) < 0)
                                goto fail;
                        continue;
                }

                if ((c->types[i] == 'd' ? mkdirat(dst_store_fd, name, 0555)
                                         : mknodat(dst_store_fd, name, S_IFREG | 0444, 0)) < 0)
                        goto fail;
                /* The bind keeps the view's flags and idmapping: read-only, nosuid, nodev, root-owned */
                if (strlen(name) >= sizeof source - 1) {
                        errno = ENAMETOOLONG;
                        goto fail;
                }
                strcpy(source + 1, name);
                if (mount(source, name, NULL, MS_BIND, NULL) < 0)
                        goto fail;
                continue;
        fail:
                *ret_failed = i;
                r = negative_errno();
                break;
        }
restore:
        /* back to the real root: the rest of the set-up resolves host paths */
        if ((fchdir(old_root) < 0 || chroot(".") < 0) && r >= 0) {
                r = negative_errno();
                *ret_failed = c->n; /* no path's fault */
        }
        safe_close(old_root);
        return r;
}
