/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "launcher.h"
#include "strutil.h"

const char *launcher_binary(void) {
        static char path[PATH_MAX];
        const char *e = getenv("NIXOS_NSPAWN");
        ssize_t n;
        char *slash;

        if (!isempty(e))
                return e;
        n = readlink("/proc/self/exe", path, sizeof path - 32);
        if (n > 0) {
                path[n] = 0;
                slash = strrchr(path, '/');
                if (slash) {
                        strcpy(slash + 1, "nixos-nspawn");
                        if (access(path, X_OK) >= 0)
                                return path;
                }
        }
        return "nixos-nspawn";
}
