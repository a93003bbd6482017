/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mountinfo.h"
#include "strutil.h"

/* Copies the space-ended field at *p, decoding \ooo, and moves *p past it. */
static char *field_unescape(const char **p, const char *end) {
        const char *s = *p, *e = s;
        char *out, *o;

        while (e < end && *e != ' ')
                e++;
        o = out = malloc((size_t) (e - s) + 1);
        if (!out)
                return NULL;
        while (s < e) {
                if (s[0] == '\\' && e - s >= 4 && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
                    s[3] >= '0' && s[3] <= '7') {
                        *o++ = (char) ((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
                        s += 4;
                } else
                        *o++ = *s++;
        }
        *o = '\0';
        *p = e;
        return out;
}

/* Skips n space-ended fields; false if the line ends first. */
static bool skip_fields(const char **p, const char *end, int n) {
        for (; n > 0; n--) {
                const char *sp = memchr(*p, ' ', (size_t) (end - *p));
                if (!sp)
                        return false;
                *p = sp + 1;
        }
        return true;
}

/* One line, ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL…] - FSTYPE SOURCE SUPEROPTIONS: *ret_mp at the
 * mount point, *ret_sep at FSTYPE. The optional fields end at a lone "-"; the mount point is escaped, so it has no
 * " - ". False when the line is not of that shape. */
static bool split_line(const char *line, const char *end, const char **ret_mp, const char **ret_sep) {
        const char *p = line;

        if (!skip_fields(&p, end, 4))
                return false;
        for (const char *q = p; q + 3 <= end; q++)
                if (q[0] == ' ' && q[1] == '-' && q[2] == ' ') {
                        *ret_mp = p;
                        *ret_sep = q + 3;
                        return true;
                }
        return false;
}

int mountinfo_find_fstype(const char *text, const char *fstype, char **ret_target) {
        size_t flen = strlen(fstype);

        for (const char *line = text; *line;) {
                const char *end = strchrnul(line, '\n'), *sep, *mp;

                if (end > line) {
                        if (!split_line(line, end, &mp, &sep))
                                return -EINVAL;
                        if ((size_t) (end - sep) > flen && strncmp(sep, fstype, flen) == 0 && sep[flen] == ' ') {
                                *ret_target = field_unescape(&mp, end);
                                return *ret_target ? 0 : -ENOMEM;
                        }
                }
                line = *end ? end + 1 : end;
        }
        return -ENOENT;
}

int mountinfo_find_below(const char *text, const char *dir, char **ret_target) {
        size_t dlen = strlen(dir);

        for (const char *line = text; *line;) {
                const char *end = strchrnul(line, '\n'), *p = line;

                /* ID PARENT MAJ:MIN ROOT MOUNTPOINT …: the fifth field, compared unescaped */
                if (end > line) {
                        _cleanup_free_ char *mp = NULL;

                        if (!skip_fields(&p, end, 4) || p >= end)
                                return -EINVAL;
                        mp = field_unescape(&p, end);
                        if (!mp)
                                return -ENOMEM;
                        if (strncmp(mp, dir, dlen) == 0 && (mp[dlen] == 0 || mp[dlen] == '/')) {
                                *ret_target = TAKE_PTR(mp);
                                return 0;
                        }
                }
                line = *end ? end + 1 : end;
        }
        return -ENOENT;
}

/* Whether the comma-separated list [p, end) holds item. */
static bool list_has(const char *p, const char *end, const char *item) {
        size_t n = strlen(item);

        while (p < end) {
                const char *comma = memchr(p, ',', (size_t) (end - p));
                const char *e = comma ?: end;

                if ((size_t) (e - p) == n && strncmp(p, item, n) == 0)
                        return true;
                p = e + 1;
        }
        return false;
}

int mountinfo_find_cgroup1(const char *text, const char *controller, char **ret_target) {
        for (const char *line = text; *line;) {
                const char *end = strchrnul(line, '\n'), *sep, *mp;

                if (end > line) {
                        if (!split_line(line, end, &mp, &sep))
                                return -EINVAL;
                        /* FSTYPE SOURCE SUPEROPTIONS: "cgroup", anything, a list naming the controller */
                        if (strncmp(sep, "cgroup ", 7) == 0 && skip_fields(&sep, end, 2) &&
                            list_has(sep, end, controller)) {
                                *ret_target = field_unescape(&mp, end);
                                return *ret_target ? 0 : -ENOMEM;
                        }
                }
                line = *end ? end + 1 : end;
        }
        return -ENOENT;
}
