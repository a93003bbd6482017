/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <signal.h>
#include <stdlib.h>

#include "log.h"
#include "strutil.h"
#include "testhook.h"

static int stop_point(void) {
        static int asked = -2; /* not read yet */
        const char *e;
        unsigned n;

        if (asked != -2)
                return asked;
        e = getenv("NIXOS_NSPAWN_TEST_STOP_AT");
        asked = e && safe_atou32(e, &n) >= 0 && n < TEST_STOP_POINTS ? (int) n : -1;
        return asked;
}

void test_stop_at(int point) {
        if (stop_point() != point)
                return;
        log_debug("Stopping at test stop point %d (NIXOS_NSPAWN_TEST_STOP_AT).", point);
        (void) raise(SIGSTOP);
}
