/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

/* Anything we print that came from outside (a flag's value, a line of a file, another program's message) may hold
 * bytes that end our line early, move the cursor, or retitle the terminal. These make it one printable line:
 * \n \r \t \\ as C escapes, every other control byte, DEL, a byte that is not part of valid UTF-8 and a UTF-8
 * encoded C1 control as \xHH. Valid UTF-8 text passes unchanged. */

/* Escapes n bytes of s into out (size bytes, NUL-terminated); when out is too small, ends it with "..." at a
 * character boundary. Returns the length written. */
size_t escape_line(const char *s, size_t n, char *out, size_t size);
/* The whole of s, escaped, in a new string; NULL on ENOMEM. */
char *escape_string(const char *s);
