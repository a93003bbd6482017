/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: override fragments come from the user, so ini_parse() must refuse or accept any bytes without
 * crashing, leaking or reading out of bounds, and whatever it accepts must merge over the defaults, survive the
 * version filter and render to a unit in which every line is a header, an assignment or blank — the property that
 * keeps an override from smuggling lines into what networkd reads.
 *
 * `make fuzz` builds it and runs it for FUZZ_SECONDS; `make check` runs it briefly over checks/fuzz/corpus/. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "ini.h"
#include "log.h"
#include "units.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every line of the rendered unit: the header comment, blank, "[Name]" or "Key=Value" without control characters. */
static void check_rendered(const char *text) {
        const char *p = text;

        if (strncmp(text, UNITS_HEADER_PREFIX, strlen(UNITS_HEADER_PREFIX)) != 0)
                abort();
        p = strchr(p, '\n');
        if (!p)
                abort();
        for (p++; *p;) {
                const char *nl = strchr(p, '\n');
                size_t n;

                if (!nl)
                        abort(); /* every line ends in a newline */
                n = (size_t) (nl - p);
                for (size_t i = 0; i < n; i++)
                        if ((unsigned char) p[i] < ' ' || p[i] == 0x7f)
                                abort();
                if (n > 0 && p[0] != '[' && !memchr(p, '=', n))
                        abort();
                if (n > 0 && (p[0] == '#' || p[0] == ';' || p[n - 1] == '\\'))
                        abort();
                p = nl + 1;
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        IniFile *override = NULL, *unit = NULL;
        char *error = NULL, *text = NULL;
        unsigned version;
        UnitKind kind;
        int r;

        log_set_max_level(LOG_CRIT);

        r = units_parse_override((const char *) data, size, "fuzz", &override, &error);
        if (r < 0) {
                /* a refusal always explains itself, naming where */
                if (r == -EINVAL && (!error || strncmp(error, "fuzz:", 5) != 0))
                        abort();
                free(error);
                return 0;
        }
        if (error)
                abort();

        /* the first byte picks the kind and a networkd version between 211 and 266 */
        version = UNITS_VERSION_MIN + (size > 0 ? data[0] % 56 : 41);
        kind = size > 0 ? (UnitKind) (data[0] % _UNIT_KIND_MAX) : UNIT_VETH_HOST;
        if (units_defaults(kind, "ve-fuzz", kind == UNIT_ZONE_PORT ? "vz-fuzz" : NULL, &unit) < 0)
                abort();
        r = units_merge(unit, override, &error);
        if (r < 0) {
                if (r == -EINVAL && !error)
                        abort();
        } else if (units_filter(unit, version) >= 0) {
                if (units_render(unit, "fuzz", &text) < 0)
                        abort();
                check_rendered(text);
                if (!units_text_is_ours(text, "fuzz"))
                        abort();
        }

        free(text);
        free(error);
        ini_free(unit);
        ini_free(override);
        return 0;
}
