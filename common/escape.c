/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"

/* Length of the valid, printable UTF-8 sequence at s (at most n bytes), or 0 when the lead byte must be escaped.
 * Overlong forms, surrogates, values past U+10FFFF and C1 controls (U+0080..U+009F, which some terminals obey as
 * ESC sequences) are refused. */
static size_t utf8_printable_len(const unsigned char *s, size_t n) {
        uint32_t cp;
        size_t len;

        if (s[0] < 0x80)
                return s[0] >= ' ' && s[0] != 0x7f ? 1 : 0;
        if ((s[0] & 0xe0) == 0xc0) {
                len = 2;
                cp = s[0] & 0x1f;
        } else if ((s[0] & 0xf0) == 0xe0) {
                len = 3;
                cp = s[0] & 0x0f;
        } else if ((s[0] & 0xf8) == 0xf0) {
                len = 4;
                cp = s[0] & 0x07;
        } else
                return 0;
        if (len > n)
                return 0;
        for (size_t i = 1; i < len; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                cp = cp << 6 | (s[i] & 0x3f);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
            (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp <= 0x9f))
                return 0;
        return len;
}

/* The escaped form of one character starting at s into buf (at least 5 bytes); returns its length and sets
 * *consumed. */
static size_t escape_one(const unsigned char *s, size_t n, char buf[static 5], size_t *consumed) {
        static const char hex[] = "0123456789abcdef";
        size_t len = utf8_printable_len(s, n);

        if (len > 0 && s[0] != '\\') {
                memcpy(buf, s, len);
                *consumed = len;
                return len;
        }
        *consumed = 1;
        buf[0] = '\\';
        switch (s[0]) {
        case '\\':
                buf[1] = '\\';
                return 2;
        case '\n':
                buf[1] = 'n';
                return 2;
        case '\r':
                buf[1] = 'r';
                return 2;
        case '\t':
                buf[1] = 't';
                return 2;
        default:
                buf[1] = 'x';
                buf[2] = hex[s[0] >> 4];
                buf[3] = hex[s[0] & 15];
                return 4;
        }
}

size_t escape_line(const char *s, size_t n, char *out, size_t size) {
        const unsigned char *p = (const unsigned char *) s;
        size_t o = 0;

        if (size == 0)
                return 0;
        for (size_t i = 0; i < n;) {
                char buf[5];
                size_t used, len = escape_one(p + i, n - i, buf, &used);

                /* keep room for "..." and the NUL when more is to come */
                if (o + len + (i + used < n ? 3 : 0) + 1 > size) {
                        if (o + 4 <= size) {
                                memcpy(out + o, "...", 3);
                                o += 3;
                        }
                        break;
                }
                memcpy(out + o, buf, len);
                o += len;
                i += used;
        }
        out[o] = 0;
        return o;
}

char *escape_string(const char *s) {
        size_t n = strlen(s);
        char *out = malloc(n * 4 + 1); /* \xHH is the longest form of a byte */

        if (out)
                escape_line(s, n, out, n * 4 + 1);
        return out;
}
