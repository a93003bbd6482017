/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Claims about spawn/store.c: which lines name a store path, and how closures are read, merged and checked. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "store.h"
#include "strutil.h"
#include "tap.h"

#define STORE "/nix/store"
/* Nix's base32 alphabet happens to be exactly 32 characters long: a valid hash. */
#define HASH "0123456789abcdfghijklmnpqrsvwxyz"
#define NIX_BASE32 HASH

/* A valid hash that differs per i (0 <= i < 32): the alphabet rotated by i. */
static void make_hash(unsigned i, char ret[static 33]) {
        for (unsigned k = 0; k < 32; k++)
                ret[k] = NIX_BASE32[(i + k) % 32];
        ret[32] = 0;
}

static char *repeat_char(char c, size_t n) {
        char *s = malloc(n + 1);

        if (!s)
                abort();
        memset(s, c, n);
        s[n] = 0;
        return s;
}

static bool ends_with(const char *s, const char *suffix) {
        size_t n = strlen(s), m = strlen(suffix);

        return n >= m && streq(s + n - m, suffix);
}

static char *strjoin3(const char *a, const char *b, const char *c) {
        char *s = NULL;

        if (asprintf(&s, "%s%s%s", a, b, c) < 0)
                abort();
        return s;
}

static void check_valid(const char *store_dir, const char *line, const char *want_name) {
        const char *name = NULL, *reason = NULL;
        int r = store_path_check(store_dir, line, &name, &reason);

        if (!is_int(r, 0, "store path '%s' is valid", line)) {
                diag("reason: %s", reason ?: "(none)");
                return;
        }
        is_str(name, want_name, "store path '%s': name", line);
        ok(name >= line && name < line + strlen(line), "store path '%s': name points into the line", line);
}

static void check_invalid(const char *store_dir, const char *line) {
        const char *name = "untouched", *reason = NULL;
        int r = store_path_check(store_dir, line, &name, &reason);

        is_int(r, -EINVAL, "store path '%s' is refused", line);
        ok(reason && *reason, "store path '%s': a reason is given (%s)", line, reason ?: "none");
        is_str(name, "untouched", "store path '%s': the name is left alone", line);
}

static void test_store_path_check(void) {
        static const char *const invalid[] = {
                "",
                "nix/store/" HASH "-hello",
                HASH "-hello",
                "/nix/store",
                "/nix/store/",
                "/nix/storex/" HASH "-hello",
                "/nix/stor/" HASH "-hello",
                "/nix/" HASH "-hello",
                "/gnu/store/" HASH "-hello",
                "/nix/store/" HASH "-hello/sub",
                "/nix/store/" HASH "-hello/",
                "/nix/store//" HASH "-hello",
                "/nix/store/.",
                "/nix/store/..",
                "/nix/store/../store/" HASH "-hello",
                "/nix/store/e123456789abcdfghijklmnpqrsvwxyz-hello", /* 'e' */
                "/nix/store/o123456789abcdfghijklmnpqrsvwxyz-hello", /* 'o' */
                "/nix/store/u123456789abcdfghijklmnpqrsvwxyz-hello", /* 'u' */
                "/nix/store/t123456789abcdfghijklmnpqrsvwxyz-hello", /* 't' */
                "/nix/store/A123456789abcdfghijklmnpqrsvwxyz-hello", /* uppercase */
                "/nix/store/0123456789abcdfghijklmnpqrsvwxy-hello",  /* 31 characters */
                "/nix/store/0123456789abcdfghijklmnpqrsvwxyz0-hello", /* 33 characters */
                "/nix/store/" HASH "hello",
                "/nix/store/" HASH "_hello",
                "/nix/store/" HASH,
                "/nix/store/" HASH "-",
                "/nix/store/" HASH "-hel lo",
                "/nix/store/" HASH "-hello\n",
                "/nix/store/" HASH "-hel\tlo",
                "/nix/store/" HASH "-hello\r",
                "/nix/store/" HASH "-hel\x7flo",
                "/nix/store/" HASH "-hel\xc3\xa4lo",
                "/nix/store/" HASH "-hel*lo",
                "/nix/store/" HASH "-hel:lo",
                "/nix/store/" HASH "-.hello",
                "/nix/store/" HASH "-.",
                "/nix/store/" HASH "-..",
                " /nix/store/" HASH "-hello",
        };
        _cleanup_free_ char *name211 = repeat_char('n', 211), *name212 = repeat_char('n', 212);
        _cleanup_free_ char *line211 = strjoin3(STORE "/" HASH "-", name211, "");
        _cleanup_free_ char *line212 = strjoin3(STORE "/" HASH "-", name212, "");

        check_valid(STORE, STORE "/" HASH "-hello-2.12", HASH "-hello-2.12");
        check_valid(STORE "/", STORE "/" HASH "-hello-2.12", HASH "-hello-2.12");
        check_valid(STORE, STORE "/" HASH "-a", HASH "-a");
        check_valid(STORE, STORE "/" HASH "-a+b-c.d_e?f=g", HASH "-a+b-c.d_e?f=g");
        check_valid(STORE, STORE "/" HASH "-Hello-World", HASH "-Hello-World");
        check_valid(STORE, STORE "/" HASH "-source.drv", HASH "-source.drv");
        check_valid(STORE, STORE "/" HASH "--", HASH "--");
        check_valid(STORE, line211, line211 + STRLEN(STORE "/"));
        check_valid("/gnu/store", "/gnu/store/" HASH "-guile", HASH "-guile");

        for (size_t i = 0; i < ELEMENTSOF(invalid); i++)
                check_invalid(STORE, invalid[i]);
        check_invalid(STORE, line212);
}

static void test_add_text(void) {
        char h[3][33], *text = NULL;
        Closure c = {};

        for (unsigned i = 0; i < 3; i++)
                make_hash(i * 5, h[i]);

        /* given out of order, kept sorted */
        if (asprintf(&text, STORE "/%s-zlib\n" STORE "/%s-bash\n" STORE "/%s-glibc\n", h[2], h[0], h[1]) < 0)
                abort();
        is_int(closure_add_text(&c, STORE, text, "three"), 0, "add_text: three lines with a trailing newline");
        is_int(c.n, 3, "add_text: three names");
        if (c.n == 3) {
                ok(strcmp(c.names[0], c.names[1]) < 0 && strcmp(c.names[1], c.names[2]) < 0,
                   "add_text: names are sorted");
                ok(startswith(c.names[0], h[0]) && ends_with(c.names[0], "-bash"), "add_text: first is bash");
        }
        closure_done(&c);
        ok(c.n == 0 && !c.names, "closure_done: leaves an empty closure");
        closure_done(&c);
        ok(c.n == 0 && !c.names, "closure_done: twice is harmless");
        free(text);

        is_int(closure_add_text(&c, STORE, STORE "/" HASH "-a\n" STORE "/" HASH "-b", "no-newline"), 0,
               "add_text: no trailing newline");
        is_int(c.n, 2, "add_text: two names without a trailing newline");
        is_int(closure_add_text(&c, STORE, STORE "/" HASH "-c", "one"), 0, "add_text: a single line");
        is_int(c.n, 3, "add_text: names accumulate across texts");
        closure_done(&c);

        is_int(closure_add_text(&c, STORE, "", "empty"), -EINVAL, "add_text: an empty text is refused");
        closure_done(&c);
        is_int(closure_add_text(&c, STORE, "\n", "newline"), -EINVAL, "add_text: a lone newline is refused");
        closure_done(&c);
        is_int(closure_add_text(&c, STORE, STORE "/" HASH "-a\n/etc/passwd\n", "bad"), -EINVAL,
               "add_text: a bad line is refused");
        closure_done(&c);
        is_int(closure_add_text(&c, STORE, "/etc/passwd", "bad-first"), -EINVAL,
               "add_text: a bad first line is refused");
        closure_done(&c);
        is_int(closure_add_text(&c, STORE, STORE "/" HASH "-a\n\n" STORE "/" HASH "-b\n", "blank"), -EINVAL,
               "add_text: a blank line between paths is refused");
        closure_done(&c);
        is_int(closure_add_text(&c, STORE, STORE "/" HASH "-a\n" STORE "/" HASH "-b\n" STORE "/" HASH "-a\n", "dup"),
               -EINVAL, "add_text: a duplicate within one text is refused");
        closure_done(&c);

        /* across texts, duplicates are fine: they merge in closure_finish() */
        is_int(closure_add_text(&c, STORE, STORE "/" HASH "-a\n" STORE "/" HASH "-b\n", "first"), 0,
               "add_text: first of two overlapping texts");
        is_int(closure_add_text(&c, STORE, STORE "/" HASH "-b\n" STORE "/" HASH "-c\n", "second"), 0,
               "add_text: second of two overlapping texts");
        is_int(c.n, 4, "add_text: overlapping texts keep both copies until closure_finish");
        closure_done(&c);
}

static int make_entry(const char *store_dir, const char *name, mode_t type) {
        _cleanup_free_ char *path = strjoin3(store_dir, "/", name);
        int fd;

        switch (type) {
        case S_IFDIR:
                return RET_NERRNO(mkdir(path, 0755));
        case S_IFREG:
                fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
                if (fd < 0)
                        return negative_errno();
                safe_close(fd);
                return 0;
        case S_IFLNK:
                return RET_NERRNO(symlink("/nonexistent/target", path)); /* dangling is fine: it is not followed */
        case S_IFIFO:
                return RET_NERRNO(mkfifo(path, 0644));
        default:
                return -EINVAL;
        }
}

static void test_finish(const char *store_dir) {
        static const struct {
                const char *suffix;
                mode_t type;
        } entries[] = {
                { "-dir", S_IFDIR }, { "-file", S_IFREG }, { "-link", S_IFLNK }, { "-fifo", S_IFIFO },
        };
        char h[4][33], *names[4] = {}, *text1 = NULL, *text2 = NULL, *fifo_text = NULL, *missing_text = NULL;
        const char *name, *reason;
        Closure c = {};
        bool made = true;

        for (unsigned i = 0; i < ELEMENTSOF(entries); i++) {
                make_hash(31 - i * 7, h[i]);
                names[i] = strjoin3(h[i], entries[i].suffix, "");
                if (make_entry(store_dir, names[i], entries[i].type) < 0)
                        made = false;
        }
        if (!ok(made, "finish: temporary store entries made in %s", store_dir))
                goto finish;

        /* the check follows the store directory it is given */
        {
                _cleanup_free_ char *line = strjoin3(store_dir, "/", names[0]);

                is_int(store_path_check(store_dir, line, &name, &reason), 0, "finish: a path below '%s' is valid",
                       store_dir);
                is_int(store_path_check(STORE, line, &name, &reason), -EINVAL,
                       "finish: the same path is not below /nix/store");
        }

        /* dir, file, link in text1; file, link again in text2, in another order */
        if (asprintf(&text1, "%s/%s\n%s/%s\n%s/%s\n", store_dir, names[2], store_dir, names[0], store_dir,
                     names[1]) < 0 ||
            asprintf(&text2, "%s/%s\n%s/%s\n", store_dir, names[1], store_dir, names[2]) < 0 ||
            asprintf(&fifo_text, "%s/%s\n", store_dir, names[3]) < 0 ||
            asprintf(&missing_text, "%s/%s-missing\n", store_dir, h[0]) < 0)
                abort();

        is_int(closure_add_text(&c, store_dir, text1, "text1"), 0, "finish: first text adds");
        is_int(closure_add_text(&c, store_dir, text2, "text2"), 0, "finish: overlapping second text adds");
        is_int(c.n, 5, "finish: five names before merging");
        is_int(closure_finish(&c, store_dir), 0, "finish: a directory, a file and a dangling symlink are accepted");
        is_int(c.n, 3, "finish: duplicates across texts merge to three names");
        {
                bool sorted = true;

                for (size_t i = 1; i < c.n; i++)
                        if (strcmp(c.names[i - 1], c.names[i]) >= 0)
                                sorted = false;
                ok(sorted, "finish: names are sorted and unique");
        }
        {
                bool all = c.n == 3;

                for (size_t k = 0; all && k < 3; k++) {
                        bool found = false;

                        for (size_t i = 0; i < c.n; i++)
                                if (streq(c.names[i], names[k]))
                                        found = true;
                        all = all && found;
                }
                ok(all, "finish: every listed name is kept");
        }
        {
                char before[3] = {};

                if (c.n == 3 && c.types)
                        memcpy(before, c.types, 3);
                /* (make SANITIZE=1: a leak or a stale array here fails the test binary) */
                is_int(closure_finish(&c, store_dir), 0, "finish: running it twice succeeds");
                is_int(c.n, 3, "finish: ...keeps three names");
                ok(c.n == 3 && c.types && memcmp(before, c.types, 3) == 0 && memchr(before, 'd', 3) &&
                           memchr(before, 'f', 3) && memchr(before, 'l', 3),
                   "finish: ...and their types (a directory, a file, a symlink)");
        }
        closure_done(&c);

        is_int(closure_add_text(&c, store_dir, missing_text, "missing"), 0, "finish: a missing path parses");
        is_int(closure_finish(&c, store_dir), -ENOENT, "finish: a missing path is refused with -ENOENT");
        closure_done(&c);

        is_int(closure_add_text(&c, store_dir, text1, "text1"), 0, "finish: text1 again");
        is_int(closure_add_text(&c, store_dir, missing_text, "missing"), 0, "finish: plus a missing path");
        is_int(closure_finish(&c, store_dir), -ENOENT, "finish: one missing path among present ones is refused");
        closure_done(&c);

        is_int(closure_add_text(&c, store_dir, fifo_text, "fifo"), 0, "finish: a fifo path parses");
        is_int(closure_finish(&c, store_dir), -EINVAL, "finish: a fifo is neither directory, file nor symlink");
        closure_done(&c);

        is_int(closure_finish(&c, store_dir), 0, "finish: an empty closure is fine");
        is_int(c.n, 0, "finish: ...and stays empty");
        closure_done(&c);

        {
                _cleanup_free_ char *gone = strjoin3(store_dir, "/no-such-store", "");

                is_int(closure_add_text(&c, store_dir, text1, "text1"), 0, "finish: text1 once more");
                is_int(closure_finish(&c, gone), -ENOENT, "finish: a missing store directory is refused");
                closure_done(&c);
        }

finish:
        for (unsigned i = 0; i < ELEMENTSOF(entries); i++) {
                _cleanup_free_ char *path = names[i] ? strjoin3(store_dir, "/", names[i]) : NULL;

                if (path && (entries[i].type == S_IFDIR ? rmdir(path) : unlink(path)) < 0 && errno != ENOENT)
                        diag("Failed to remove '%s': %m", path);
                free(names[i]);
        }
        free(text1);
        free(text2);
        free(fifo_text);
        free(missing_text);
}

static void test_add_file(const char *dir) {
        _cleanup_free_ char *good = strjoin3(dir, "/closure", ""), *nul = strjoin3(dir, "/closure-nul", "");
        _cleanup_free_ char *missing = strjoin3(dir, "/closure-missing", "");
        static const char good_text[] = STORE "/" HASH "-a\n" STORE "/" HASH "-b\n";
        static const char nul_text[] = STORE "/" HASH "-a\n\0" STORE "/" HASH "-b\n";
        Closure c = {};
        int fd;

        fd = open(good, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0 || write(fd, good_text, STRLEN(good_text)) != (ssize_t) STRLEN(good_text))
                abort();
        safe_close(fd);
        fd = open(nul, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0 || write(fd, nul_text, sizeof nul_text - 1) != (ssize_t) (sizeof nul_text - 1))
                abort();
        safe_close(fd);

        is_int(closure_add_file(&c, STORE, good), 0, "add_file: a closure file is read");
        is_int(c.n, 2, "add_file: two names");
        closure_done(&c);
        is_int(closure_add_file(&c, STORE, nul), -EINVAL, "add_file: a NUL byte is refused");
        closure_done(&c);
        is_int(closure_add_file(&c, STORE, missing), -ENOENT, "add_file: a missing file is refused");
        closure_done(&c);

        (void) unlink(good);
        (void) unlink(nul);
}

int main(void) {
        char tmpdir[] = "/tmp/test-store-XXXXXX";

        test_store_path_check();
        test_add_text();

        if (!mkdtemp(tmpdir)) {
                skip("closure_finish: cannot make a temporary store directory: %m");
                return tap_done();
        }
        test_finish(tmpdir);
        test_add_file(tmpdir);
        if (rmdir(tmpdir) < 0)
                diag("Failed to remove '%s': %m", tmpdir);

        return tap_done();
}
