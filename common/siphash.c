/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "siphash.h"

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

static uint64_t load_le64(const uint8_t *p) {
        uint64_t v = 0;

        for (int i = 7; i >= 0; i--)
                v = (v << 8) | p[i];
        return v;
}

static void sip_round(uint64_t v[4]) {
        v[0] += v[1];
        v[1] = ROTL(v[1], 13);
        v[1] ^= v[0];
        v[0] = ROTL(v[0], 32);
        v[2] += v[3];
        v[3] = ROTL(v[3], 16);
        v[3] ^= v[2];
        v[0] += v[3];
        v[3] = ROTL(v[3], 21);
        v[3] ^= v[0];
        v[2] += v[1];
        v[1] = ROTL(v[1], 17);
        v[1] ^= v[2];
        v[2] = ROTL(v[2], 32);
}

uint64_t siphash24(const void *data, size_t len, const uint8_t key[16]) {
        const uint8_t *in = data;
        uint64_t k0 = load_le64(key), k1 = load_le64(key + 8);
        uint64_t v[4] = {
                k0 ^ 0x736f6d6570736575ULL,
                k1 ^ 0x646f72616e646f6dULL,
                k0 ^ 0x6c7967656e657261ULL,
                k1 ^ 0x7465646279746573ULL,
        };
        uint8_t last[8] = { 0 };
        size_t whole = len - len % 8;
        uint64_t m;

        for (size_t i = 0; i < whole; i += 8) {
                m = load_le64(in + i);
                v[3] ^= m;
                sip_round(v);
                sip_round(v);
                v[0] ^= m;
        }

        memcpy(last, in + whole, len % 8);
        last[7] = (uint8_t) len;
        m = load_le64(last);
        v[3] ^= m;
        sip_round(v);
        sip_round(v);
        v[0] ^= m;

        v[2] ^= 0xff;
        for (int i = 0; i < 4; i++)
                sip_round(v);
        return v[0] ^ v[1] ^ v[2] ^ v[3];
}
