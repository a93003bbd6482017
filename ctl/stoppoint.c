/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <signal.h>
#include <stdlib.h>

#include "log.h"
#include "stoppoint.h"
#include "strutil.h"

void test_stop_point(const char *name) {
        const char *asked = getenv("NIXOS_NSPAWNCTL_TEST_STOP_AT");

        if (!asked || !streq(asked, name))
                return;
        log_debug("Stopping at test stop point %s (NIXOS_NSPAWNCTL_TEST_STOP_AT).", name);
        (void) raise(SIGSTOP);
}
