/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* PID 1's environment, per systemd's container interface. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "environ.h"
#include "fileio.h"
#include "log.h"
#include "strutil.h"

static int env_add(char ***env, const char *fmt, ...) _printf_(2, 3);
static int env_add(char ***env, const char *fmt, ...) {
        _cleanup_free_ char *kv = NULL;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&kv, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        return settings_add_string(env, kv);
}

static int os_release_value(const char *os_release, const char *key, char *buf, size_t size) {
        for (const char *l = os_release; l && *l;) {
                const char *end = strchrnul(l, '\n'), *v = startswith(l, key);

                if (v && *v == '=') {
                        size_t n;

                        v++;
                        n = (size_t) (end - v);
                        if (n >= 2 && (*v == '"' || *v == '\'') && v[n - 1] == *v) {
                                v++;
                                n -= 2;
                        }
                        if (n >= size)
                                n = size - 1;
                        memcpy(buf, v, n);
                        buf[n] = 0;
                        return 1;
                }
                l = *end ? end + 1 : end;
        }
        return 0;
}

int environ_build(const Settings *s, const char *uuid, const char *os_release, char ***ret) {
        _cleanup_strv_free_ char **env = NULL;
        static const struct {
                const char *env, *key;
        } host_ids[] = {
                { "container_host_id", "ID" },
                { "container_host_version_id", "VERSION_ID" },
                { "container_host_build_id", "BUILD_ID" },
                { "container_host_variant_id", "VARIANT_ID" },
        };
        const char *term = getenv("TERM");
        char v[256];
        int r;

        r = env_add(&env, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        if (r >= 0)
                r = env_add(&env, "container=%s", CONTAINER_MANAGER);
        if (r >= 0)
                r = env_add(&env, "container_uuid=%s", uuid);
        if (r >= 0)
                r = env_add(&env, "HOME=/root");
        if (r >= 0)
                r = env_add(&env, "NOTIFY_SOCKET=/run/host/notify");
        if (r >= 0 && s->n_credentials > 0)
                r = env_add(&env, "CREDENTIALS_DIRECTORY=/run/host/credentials");
        if (r >= 0)
                r = env_add(&env, "TERM=%s",
                            s->console == CONSOLE_PIPE || isempty(term) ? "dumb" : term);
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(host_ids); i++)
                if (os_release_value(os_release, host_ids[i].key, v, sizeof v))
                        r = env_add(&env, "%s=%s", host_ids[i].env, v);
        /* --setenv= overrides the defaults above (PATH, TERM…): one entry per name, or getenv() takes the first */
        for (char **e = s->environment; r >= 0 && e && *e; e++) {
                size_t klen = strcspn(*e, "=") + 1;
                char **slot = NULL;

                for (char **d = env; d && *d; d++)
                        if (strncmp(*d, *e, klen) == 0)
                                slot = d;
                if (slot) {
                        char *copy = strdup(*e);
                        if (!copy)
                                return log_oom();
                        free(*slot);
                        *slot = copy;
                } else
                        r = settings_add_string(&env, *e);
        }
        if (r < 0) /* env_add() and settings_add_string() fail only for memory */
                return log_oom();
        *ret = TAKE_PTR(env);
        return 0;
}

int os_release_read(char **ret) {
        int r = read_full_file("/etc/os-release", ret, NULL);

        if (r == -ENOENT)
                r = read_full_file("/usr/lib/os-release", ret, NULL);
        if (r == -ENOENT) {
                *ret = strdup("ID=linux\n");
                r = *ret ? 0 : -ENOMEM;
        }
        return r;
}
