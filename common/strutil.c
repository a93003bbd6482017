/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "strutil.h"

bool string_has_cc(const char *s) {
        for (const unsigned char *p = (const unsigned char *) s; *p; p++)
                if (*p < ' ' || *p == 0x7f)
                        return true;
        return false;
}

/* Digits only: no sign, no spaces, no base prefixes, no trailing garbage. */
int safe_atollu(const char *s, unsigned long long *ret) {
        unsigned long long v;
        char *end;

        if (!s || !isdigit((unsigned char) s[0]))
                return -EINVAL;
        errno = 0;
        v = strtoull(s, &end, 10);
        if (errno != 0)
                return -errno;
        if (*end)
                return -EINVAL;
        *ret = v;
        return 0;
}

int safe_atou32(const char *s, unsigned *ret) {
        unsigned long long v;
        int r = safe_atollu(s, &v);

        if (r < 0)
                return r;
        if (v > UINT_MAX)
                return -ERANGE;
        *ret = (unsigned) v;
        return 0;
}

size_t strv_length(char *const *l) {
        size_t n = 0;

        if (l)
                while (l[n])
                        n++;
        return n;
}

int split(const char *s, char sep, char ***ret) {
        size_t n = 1, i = 0;
        char **l;

        for (const char *p = s; *p; p++)
                if (*p == sep)
                        n++;
        l = calloc(n + 1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        for (const char *p = s; i < n; i++) {
                const char *end = strchrnul(p, sep);

                l[i] = strndup(p, end - p);
                if (!l[i]) {
                        strv_freep(&l);
                        return -ENOMEM;
                }
                p = *end ? end + 1 : end;
        }
        *ret = l;
        return (int) n;
}

const char *path_startswith(const char *path, const char *prefix) {
        size_t n = strlen(prefix);

        while (n > 1 && prefix[n - 1] == '/')
                n--;
        if (n == 1 && prefix[0] == '/')
                return path[0] == '/' ? path + 1 : NULL;
        if (strncmp(path, prefix, n) != 0)
                return NULL;
        if (path[n] == 0)
                return path + n;
        if (path[n] != '/')
                return NULL;
        return path + n + 1;
}

char *strprintf(const char *fmt, ...) {
        char *s;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&s, fmt, ap);
        va_end(ap);
        return r < 0 ? NULL : s;
}

int error_printf(char **ret_error, int error, const char *fmt, ...) {
        va_list ap;
        char *e;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&e, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        free(*ret_error);
        *ret_error = e;
        return error;
}

int free_and_strdup(char **p, const char *s) {
        char *copy = NULL;

        if (s) {
                copy = strdup(s);
                if (!copy)
                        return -ENOMEM;
        }
        free(*p);
        *p = copy;
        return 0;
}

bool ifname_is_valid(const char *name) {
        size_t n = strlen(name);

        if (n == 0 || n >= 16 || streq(name, ".") || streq(name, ".."))
                return false;
        for (const char *p = name; *p; p++) {
                unsigned char c = (unsigned char) *p;

                if (c <= ' ' || c >= 0x7f || c == '/' || c == ':')
                        return false;
        }
        return true;
}
