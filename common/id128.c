/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/random.h>

#include "fileio.h"
#include "id128.h"
#include "macro.h"

#define MACHINE_ID_NAME_MAX 256
#include "siphash.h"

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

char *id128_to_uuid_string(sd_id128_t id, char buf[static ID128_UUID_STRING_MAX]) {
        char plain[SD_ID128_STRING_MAX];
        size_t o = 0;

        id128_to_string(id, plain);
        for (size_t i = 0; i < 32; i++) {
                if (i == 8 || i == 12 || i == 16 || i == 20)
                        buf[o++] = '-';
                buf[o++] = plain[i];
        }
        buf[o] = '\0';
        return buf;
}

int id128_read_machine_id(sd_id128_t *ret) {
        /* read once a process (a start asked twice: the container's UUID, the journal link): the host's ID does
         * not change under a running launcher */
        static sd_id128_t cached;
        _cleanup_free_ char *text = NULL;
        sd_id128_t id;
        int r;

        if (!sd_id128_is_null(cached)) {
                *ret = cached;
                return 0;
        }
        r = read_full_file("/etc/machine-id", &text, NULL);
        if (r < 0)
                return r;
        text[strcspn(text, "\n")] = '\0';
        if (strlen(text) != 32 || id128_from_string(text, &id) < 0 || sd_id128_is_null(id))
                return -EBADMSG;
        *ret = cached = id;
        return 0;
}

sd_id128_t id128_from_keyed_name(const uint8_t key[static 16], const char *name) {
        size_t n = strlen(name);
        uint8_t buf[MACHINE_ID_NAME_MAX + 2];
        sd_id128_t id;
        uint64_t h[2];

        /* two halves of 64 bits each, hashed with a different last byte (names are short: longer ones are cut,
         * which machine names never are) */
        n = n > MACHINE_ID_NAME_MAX ? MACHINE_ID_NAME_MAX : n;
        memcpy(buf, name, n);
        buf[n] = 0;
        for (int half = 0; half < 2; half++) {
                buf[n + 1] = (uint8_t) (half + 1);
                h[half] = siphash24(buf, n + 2, key);
        }
        for (int i = 0; i < 8; i++) {
                id.bytes[i] = (uint8_t) (h[0] >> (8 * i));
                id.bytes[8 + i] = (uint8_t) (h[1] >> (8 * i));
        }
        id.bytes[6] = (id.bytes[6] & 0x0F) | 0x40; /* formatted as version 4, as systemd's app-specific IDs are */
        id.bytes[8] = (id.bytes[8] & 0x3F) | 0x80;
        return id;
}
