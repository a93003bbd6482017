/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "macro.h"

#define streq(a, b) (strcmp((a), (b)) == 0)
#define strcaseeq(a, b) (strcasecmp((a), (b)) == 0)

static inline bool isempty(const char *s) {
        return !s || !*s;
}

static inline const char *startswith(const char *s, const char *prefix) {
        size_t n = strlen(prefix);
        return strncmp(s, prefix, n) == 0 ? s + n : NULL;
}

static inline const char *endswith(const char *s, const char *suffix) {
        size_t n = strlen(s), m = strlen(suffix);
        return n >= m && strcmp(s + n - m, suffix) == 0 ? s + n - m : NULL;
}

bool string_has_cc(const char *s);
/* What the kernel takes as an interface name: 1-15 bytes, no '/', ':', whitespace or control characters, ASCII,
 * not "." or "..". */
bool ifname_is_valid(const char *name);
int safe_atollu(const char *s, unsigned long long *ret);
int safe_atou32(const char *s, unsigned *ret);
size_t strv_length(char *const *l);
/* Splits on every separator; empty fields are kept. Returns the number of fields. */
int split(const char *s, char sep, char ***ret);
/* "/a/b/c" starts with "/a/b" (and with "/a/b/"), not with "/a/bc". Returns the rest, or NULL. */
const char *path_startswith(const char *path, const char *prefix);
/* asprintf() that returns NULL on failure (asprintf leaves its pointer undefined then). */
char *strprintf(const char *fmt, ...) _printf_(1, 2);
/* For functions that say what is wrong instead of logging it: sets *ret_error to the message and returns error
 * (-ENOMEM, and no message, when even that fails). */
int error_printf(char **ret_error, int error, const char *fmt, ...) _printf_(3, 4);
/* Replaces *p with a copy of s (or NULL). */
int free_and_strdup(char **p, const char *s);
