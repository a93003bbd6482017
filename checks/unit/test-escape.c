/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>

#include "escape.h"
#include "tap.h"

static void check(const char *in, size_t n, const char *want, const char *name) {
        char out[256];

        escape_line(in, n, out, sizeof out);
        is_str(out, want, "%s", name);
}

int main(void) {
        char small[12], *s;

        check("plain /path-1.2", 15, "plain /path-1.2", "printable ASCII passes");
        check("a\nb\rc\td", 7, "a\\nb\\rc\\td", "newline, CR and tab become C escapes");
        check("back\\slash", 10, "back\\\\slash", "a backslash is doubled, so escapes are unambiguous");
        check("\x1b[31mred", 8, "\\x1b[31mred", "ESC (a terminal sequence) is escaped");
        check("\x7f", 1, "\\x7f", "DEL is escaped");
        check("gr\xc3\xbc\xc3\x9f", 6, "gr\xc3\xbc\xc3\x9f", "valid UTF-8 passes");
        check("\xc2\x9b" "2J", 4, "\\xc2\\x9b2J", "a UTF-8 encoded C1 control (CSI) is escaped");
        check("\xff\xfe", 2, "\\xff\\xfe", "bytes that are not UTF-8 are escaped");
        check("\xc0\xaf", 2, "\\xc0\\xaf", "an overlong form is escaped");
        check("\xe2\x82", 2, "\\xe2\\x82", "a truncated sequence is escaped");
        check("a\0b", 3, "a\\x00b", "a NUL within the length is escaped");

        escape_line("0123456789abcdef", 16, small, sizeof small);
        is_str(small, "01234567...", "too long: cut with '...', within the buffer");
        escape_line("\n\n\n\n\n\n", 6, small, sizeof small);
        is_str(small, "\\n\\n\\n\\n...", "cut at a whole escape, never in its middle");

        s = escape_string("x\ny");
        is_str(s, "x\\ny", "escape_string escapes the whole string");
        free(s);
        return tap_done();
}
