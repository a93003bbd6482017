/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "macro.h"
#include "nss-direct.h"
#include "strutil.h"

/* Where nss-systemd finds user and group records besides its two synthesized ones. */
static const char *const userdb_dirs[] = {
        "run/systemd/userdb", "etc/userdb", "run/userdb", "run/host/userdb", "usr/local/lib/userdb", "usr/lib/userdb",
};

/* The sources of the "passwd:" or "group:" line: 0 for files alone, 1 for files and systemd, -EOPNOTSUPP else. */
static int sources(const char *conf, const char *db) {
        bool files = false, systemd = false;
        const char *l = conf;

        for (; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
                const char *p = startswith(l, db), *end;

                if (!p || *p != ':')
                        continue;
                end = strchrnul(++p, '\n');
                while (p < end) {
                        size_t n;

                        p += strspn(p, " \t");
                        n = strcspn(p, " \t\n#");
                        if (n == 5 && strncmp(p, "files", 5) == 0)
                                files = true;
                        else if (n == 7 && strncmp(p, "systemd", 7) == 0)
                                systemd = true;
                        else if (n > 0) /* another module, or an [action]: only NSS knows */
                                return -EOPNOTSUPP;
                        if (p[n] == '#')
                                break;
                        p += n;
                        if (n == 0)
                                break;
                }
                return files ? systemd : -EOPNOTSUPP;
        }
        return -EOPNOTSUPP; /* no line: glibc's default, not ours to imitate */
}

/* NAME:x:ID:… lines (passwd and group both have the ID third) */
static int scan_file(const char *path, const char *kind, const char *idname, uint64_t base, uint64_t end,
                     char *ret_who, size_t who_size) {
        _cleanup_free_ char *text = NULL;
        int r;

        r = read_full_file(path, &text, NULL);
        if (r < 0)
                return -EOPNOTSUPP;
        for (char *l = text; l && *l;) {
                char *nl = strchr(l, '\n'), *c1, *c2;
                unsigned long long id;

                if (nl)
                        *nl = '\0';
                c1 = strchr(l, ':');
                c2 = c1 ? strchr(c1 + 1, ':') : NULL;
                if (c2) {
                        char *e = strchr(c2 + 1, ':');
                        if (e)
                                *e = '\0';
                        if (safe_atollu(c2 + 1, &id) >= 0 && id >= base && id < end) {
                                *c1 = '\0';
                                snprintf(ret_who, who_size, "%s '%s' (%s %llu)", kind, l, idname, id);
                                return 1;
                        }
                }
                l = nl ? nl + 1 : NULL;
        }
        return 0;
}

int nss_direct_conflict_at(const char *root, uid_t base, uint32_t size, char *ret_who, size_t who_size) {
        _cleanup_free_ char *conf = NULL, *path = NULL;
        uint64_t end = (uint64_t) base + size;
        int pw, gr, r;

        path = strprintf("%s/etc/nsswitch.conf", root);
        if (!path || read_full_file(path, &conf, NULL) < 0)
                return -EOPNOTSUPP;
        pw = sources(conf, "passwd");
        gr = sources(conf, "group");
        if (pw < 0 || gr < 0)
                return -EOPNOTSUPP;
        if (pw || gr)
                for (size_t i = 0; i < ELEMENTSOF(userdb_dirs); i++) {
                        _cleanup_free_ char *d = strprintf("%s/%s", root, userdb_dirs[i]);
                        if (!d || access(d, F_OK) >= 0 || errno != ENOENT)
                                return -EOPNOTSUPP;
                }

        free(path);
        path = strprintf("%s/etc/passwd", root);
        r = path ? scan_file(path, "user", "UID", base, end, ret_who, who_size) : -EOPNOTSUPP;
        if (r != 0)
                return r;
        free(path);
        path = strprintf("%s/etc/group", root);
        r = path ? scan_file(path, "group", "GID", base, end, ret_who, who_size) : -EOPNOTSUPP;
        if (r != 0)
                return r;
        /* nss-systemd's own two, when the files lack them */
        if ((pw || gr) && base == 0) {
                snprintf(ret_who, who_size, "%s 'root' (%s 0)", pw ? "user" : "group", pw ? "UID" : "GID");
                return 1;
        }
        if ((pw || gr) && base <= 65534 && end > 65534) {
                snprintf(ret_who, who_size, "%s 'nobody' (%s 65534)", pw ? "user" : "group", pw ? "UID" : "GID");
                return 1;
        }
        return 0;
}

int nss_direct_conflict(uid_t base, uint32_t size, char *ret_who, size_t who_size) {
        return nss_direct_conflict_at("", base, size, ret_who, who_size);
}
