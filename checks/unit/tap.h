/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A tiny TAP producer for the unit tests. Each check prints one "ok N - name" line; the plan is printed last by
 * tap_done(), so nobody has to count checks by hand. Failing checks explain themselves in "# " lines.
 *
 *     ok(cond, fmt, ...)            the claim holds
 *     is_int(got, want, fmt, ...)   integers are equal (errno values are shown by name)
 *     is_str(got, want, fmt, ...)   strings are equal (either may be NULL)
 *     diag(fmt, ...)                a "# " comment
 *     skip(fmt, ...)                one check that cannot run here, and why
 *     todo_start(reason) … todo_end()   checks in between are known to fail (a known bug): they are reported
 *                                       as "# TODO reason" and do not fail the suite
 *     return tap_done();            prints "1..N"; non-zero when a check failed
 *
 * Everything is static inline so that a test that does not use a helper does not warn about it. */

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

typedef struct TapState {
        unsigned n;
        unsigned failed;
        unsigned todo_failed;
        const char *todo; /* reason, while inside todo_start()/todo_end() */
        bool started;
} TapState;

static inline TapState *tap_state(void) {
        static TapState state;

        if (!state.started) {
                /* Line-buffered, so the TAP lines and what the code under test logs to stderr stay in order. */
                setvbuf(stdout, NULL, _IOLBF, 0);
                state.started = true;
        }
        return &state;
}

__attribute__((format(printf, 1, 2))) static inline void diag(const char *fmt, ...) {
        char buf[4096];
        va_list ap;

        (void) tap_state();
        va_start(ap, fmt);
        vsnprintf(buf, sizeof buf, fmt, ap);
        va_end(ap);
        /* every line of a multi-line message must stay a comment */
        for (char *line = buf, *nl;; line = nl + 1) {
                nl = strchr(line, '\n');
                if (nl)
                        *nl = 0;
                printf("# %s\n", line);
                if (!nl || !nl[1])
                        break;
        }
}

/* Test names and compared strings may hold newlines or '#' (inputs under test often do): escape them so each
 * check stays one TAP line and no '#' is read as a directive. */
static inline void tap_escape(const char *s, char *buf, size_t size) {
        size_t i = 0;

        for (const unsigned char *p = (const unsigned char *) s; *p && i + 5 < size; p++) {
                if (*p == '\\' || *p == '#')
                        i += (size_t) snprintf(buf + i, size - i, "\\%c", *p);
                else if (*p == '\n')
                        i += (size_t) snprintf(buf + i, size - i, "\\n");
                else if (*p < ' ' || *p == 0x7f)
                        i += (size_t) snprintf(buf + i, size - i, "\\x%02x", *p);
                else
                        buf[i++] = (char) *p;
        }
        buf[i] = 0;
}

__attribute__((format(printf, 2, 0))) static inline bool tap_vreport(bool pass, const char *fmt, va_list ap) {
        TapState *t = tap_state();
        char raw[1024], name[4096];

        vsnprintf(raw, sizeof raw, fmt, ap);
        tap_escape(raw, name, sizeof name);
        t->n++;
        printf("%s %u - %s", pass ? "ok" : "not ok", t->n, name);
        if (t->todo) {
                printf(" # TODO %s\n", t->todo);
                if (!pass)
                        t->todo_failed++;
        } else {
                printf("\n");
                if (!pass)
                        t->failed++;
        }
        return pass;
}

__attribute__((format(printf, 2, 3))) static inline bool tap_ok(bool pass, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        tap_vreport(pass, fmt, ap);
        va_end(ap);
        return pass;
}

#define ok(cond, ...) tap_ok(!!(cond), __VA_ARGS__)

static inline void tap_describe_int(const char *label, long long v) {
        const char *e = v < 0 && v > -4096 ? strerrorname_np((int) -v) : NULL;

        if (e)
                diag("%s: %lld (-%s)", label, v, e);
        else
                diag("%s: %lld", label, v);
}

__attribute__((format(printf, 3, 4))) static inline bool tap_is_int(long long got, long long want, const char *fmt,
                                                                      ...) {
        bool pass = got == want;
        va_list ap;

        va_start(ap, fmt);
        tap_vreport(pass, fmt, ap);
        va_end(ap);
        if (!pass) {
                tap_describe_int("     got", got);
                tap_describe_int("expected", want);
        }
        return pass;
}

#define is_int(got, want, ...) tap_is_int((long long) (got), (long long) (want), __VA_ARGS__)

__attribute__((format(printf, 3, 4))) static inline bool tap_is_str(const char *got, const char *want,
                                                                      const char *fmt, ...) {
        bool pass = (!got && !want) || (got && want && strcmp(got, want) == 0);
        va_list ap;

        va_start(ap, fmt);
        tap_vreport(pass, fmt, ap);
        va_end(ap);
        if (!pass) {
                char buf[4096];

                if (got) {
                        tap_escape(got, buf, sizeof buf);
                        diag("     got: '%s'", buf);
                } else
                        diag("     got: NULL");
                if (want) {
                        tap_escape(want, buf, sizeof buf);
                        diag("expected: '%s'", buf);
                } else
                        diag("expected: NULL");
        }
        return pass;
}

#define is_str(got, want, ...) tap_is_str((got), (want), __VA_ARGS__)

__attribute__((format(printf, 1, 2))) static inline void skip(const char *fmt, ...) {
        TapState *t = tap_state();
        char reason[1024];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(reason, sizeof reason, fmt, ap);
        va_end(ap);
        t->n++;
        printf("ok %u # SKIP %s\n", t->n, reason);
}

static inline void todo_start(const char *reason) {
        tap_state()->todo = reason;
}

static inline void todo_end(void) {
        tap_state()->todo = NULL;
}

static inline int tap_done(void) {
        TapState *t = tap_state();

        printf("1..%u\n", t->n);
        if (t->todo_failed > 0)
                diag("%u known failure(s) marked TODO", t->todo_failed);
        if (t->failed > 0)
                diag("%u of %u check(s) failed", t->failed, t->n);
        fflush(stdout);
        return t->failed > 0 ? 1 : 0;
}
