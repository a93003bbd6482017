/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Link names (the long-name rule) and stable MACs. */
#include <stdlib.h>
#include <string.h>

#include "link.h"
#include "macro.h"
#include "strutil.h"
#include "tap.h"

static bool is_hex(const char *s, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (!strchr("0123456789abcdef", s[i]))
                        return false;
        return true;
}

static void test_names(void) {
        char name[IFNAMSIZ], again[IFNAMSIZ], other[IFNAMSIZ];
        _cleanup_free_ char *alt = NULL, *alt2 = NULL, *alt3 = NULL;

        is_int(link_name("ve-", "web", name, &alt), 0, "short name");
        is_str(name, "ve-web", "a short name is kept");
        ok(!alt, "a short name needs no altname");

        is_int(link_name("ve-", "abcdefghijkl", name, &alt), 0, "15 characters");
        is_str(name, "ve-abcdefghijkl", "exactly 15 characters still fit");
        ok(!alt, "…without altname");

        is_int(link_name("ve-", "averyveryverylongmachinename", name, &alt), 0, "long name");
        is_int(strlen(name), 15, "a long name is cut to 15 characters");
        ok(strncmp(name, "ve-averyver", 11) == 0, "its first 11 characters are kept: %s", name);
        ok(is_hex(name + 11, 4), "then 4 hex digits of a hash: %s", name);
        is_str(alt, "ve-averyveryverylongmachinename", "the full name becomes the altname");

        is_int(link_name("ve-", "averyveryverylongmachinename", again, &alt2), 0, "long name again");
        is_str(again, name, "the same name gives the same link name");
        is_int(link_name("ve-", "averyveryverylongmachinenamf", other, &alt3), 0, "another long name");
        ok(strcmp(other, name) != 0, "a name differing only past the cut gets another link name (%s, %s)", name, other);
}

static void test_macs(void) {
        uint8_t a[6], b[6], c[6], d[6];

        is_int(link_mac("ve-web", "host", a), 0, "mac");
        is_int(link_mac("ve-web", "host", b), 0, "mac again");
        ok(memcmp(a, b, 6) == 0, "the MAC is stable for the same link and role");
        is_int(link_mac("ve-web", "container", c), 0, "container mac");
        ok(memcmp(a, c, 6) != 0, "the two ends differ");
        is_int(link_mac("ve-db", "host", d), 0, "other link");
        ok(memcmp(a, d, 6) != 0, "another link gets another MAC");
        ok((a[0] & 0x02) && !(a[0] & 0x01), "locally administered, unicast (first byte %02x)", a[0]);
        ok((c[0] & 0x02) && !(c[0] & 0x01), "so is the other end's (first byte %02x)", c[0]);
}

int main(void) {
        test_names();
        test_macs();
        return tap_done();
}
