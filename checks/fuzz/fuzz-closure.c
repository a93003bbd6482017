/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: closure files come from the user (or from whatever wrote them), so closure_add_text() must
 * refuse or accept any text without crashing, leaking or reading out of bounds.
 *
 * `make fuzz` builds it and runs it for FUZZ_SECONDS; `make check` runs it briefly over checks/fuzz/corpus/. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "log.h"
#include "store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        Closure c = {};
        char *text;

        /* every rejected input would log a line: keep the fuzzer's output readable */
        log_set_max_level(LOG_CRIT);

        text = malloc(size + 1);
        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = 0; /* closure_add_file() refuses embedded NULs before this point; so do we, by cutting */

        (void) closure_add_text(&c, "/nix/store", text, "fuzz");
        /* a second pass over the same text exercises the cross-input merge */
        (void) closure_add_text(&c, "/nix/store", text, "fuzz-again");
        closure_done(&c);
        free(text);
        return 0;
}
