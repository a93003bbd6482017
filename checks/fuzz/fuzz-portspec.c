/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: --port values come from users (and from stored settings), and what port_forward_parse() accepts
 * is rendered into nftables commands that run as root. Any bytes must be refused or accepted without crashing or
 * reading out of bounds, and an accepted value must render to commands in which every line is one of ours
 * ("add …", "flush …") of printable characters: the property that keeps a value from smuggling a command into
 * the host's firewall.
 *
 * `make fuzz` builds it and runs it for FUZZ_SECONDS; `make check` runs it briefly over checks/fuzz/corpus/. */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "portfwd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_rendered(const char *text) {
        for (const char *p = text; *p;) {
                const char *nl = strchr(p, '\n');

                if (!nl || (strncmp(p, "add ", 4) != 0 && strncmp(p, "flush ", 6) != 0))
                        abort();
                for (const char *c = p; c < nl; c++)
                        if ((unsigned char) *c < ' ' || *c == 0x7f)
                                abort();
                p = nl + 1;
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *spec = strndup((const char *) data, size);
        struct in_addr v4;
        struct in6_addr v6;
        PortForward f, again;
        char *text;

        if (!spec)
                return 0;
        if (port_forward_parse(spec, &f) >= 0) {
                /* what was accepted is what is kept, and parses to the same again */
                if (strcmp(f.spec, spec) != 0 || port_forward_parse(f.spec, &again) < 0 ||
                    memcmp(&again, &f, sizeof f) != 0)
                        abort();
                inet_pton(AF_INET, "10.0.0.2", &v4);
                inet_pton(AF_INET6, "fd00::2", &v6);
                text = portfwd_render_apply("fuzz", &f, 1, &v4, &v6);
                if (!text)
                        abort();
                check_rendered(text);
                free(text);
        }
        free(spec);
        return 0;
}
