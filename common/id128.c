/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/random.h>

#include "id128.h"

static int unhex(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -EINVAL;
}

int id128_from_string(const char *s, sd_id128_t *ret) {
        sd_id128_t id = {};
        size_t i = 0, n;
        bool dashed;

        if (!s)
                return -EINVAL;
        n = strlen(s);
        if (n != 32 && n != 36)
                return -EINVAL;
        dashed = n == 36;
        for (size_t b = 0; b < sizeof id.bytes; b++) {
                int hi, lo;

                /* the dashes sit before bytes 4, 6, 8 and 10, and only there */
                if (dashed && (b == 4 || b == 6 || b == 8 || b == 10)) {
                        if (s[i] != '-')
                                return -EINVAL;
                        i++;
                }
                hi = unhex(s[i]);
                lo = hi < 0 ? hi : unhex(s[i + 1]);
                if (lo < 0)
                        return -EINVAL;
                id.bytes[b] = (uint8_t) (hi << 4 | lo);
                i += 2;
        }
        if (s[i] != '\0')
                return -EINVAL;
        *ret = id;
        return 0;
}

int id128_randomize(sd_id128_t *ret) {
        sd_id128_t id;
        size_t done = 0;

        while (done < sizeof id.bytes) {
                ssize_t k = getrandom(id.bytes + done, sizeof id.bytes - done, 0);

                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                done += (size_t) k;
        }
        id.bytes[6] = (id.bytes[6] & 0x0F) | 0x40; /* version 4: random */
        id.bytes[8] = (id.bytes[8] & 0x3F) | 0x80; /* RFC 4122 variant */
        *ret = id;
        return 0;
}

char *id128_to_string(sd_id128_t id, char buf[static SD_ID128_STRING_MAX]) {
        static const char hex[] = "0123456789abcdef";

        for (size_t b = 0; b < sizeof id.bytes; b++) {
                buf[2 * b] = hex[id.bytes[b] >> 4];
                buf[2 * b + 1] = hex[id.bytes[b] & 15];
        }
        buf[32] = '\0';
        return buf;
}
