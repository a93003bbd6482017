/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <limits.h>
#include <stdint.h>
#include <time.h>

/* Deadlines on the monotonic clock, in milliseconds. */
static inline uint64_t now_msec(void) {
        struct timespec t;

        (void) clock_gettime(CLOCK_MONOTONIC, &t);
        return (uint64_t) t.tv_sec * 1000U + (uint64_t) t.tv_nsec / 1000000U;
}

/* What is left until deadline, as poll()'s timeout: 0 once it passed (never a negative or wrapped value, which
 * poll() would take as "wait for ever"), at most INT_MAX. */
static inline int msec_left(uint64_t deadline) {
        uint64_t now = now_msec();

        if (now >= deadline)
                return 0;
        return deadline - now > INT_MAX ? INT_MAX : (int) (deadline - now);
}
