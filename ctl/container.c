/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the verbs ask of a container by name: is the name valid, its settings, whether it runs, its PID 1. */
#include <errno.h>
#include <string.h>

#include "container.h"
#include "log.h"
#include "nix.h"
#include "runners.h"
#include "settings.h"
#include "strutil.h"


int name_check(const char *name) {
        if (!machine_name_is_valid(name) || strlen(name) > 64)
                return log_invalid("Invalid container name '%s': letters, digits, '-' and '.', at most 64.", name);
        return 0;
}

int container_load(const char *name, Conf *ret) {
        int r = name_check(name);

        if (r < 0)
                return r;
        r = conf_load(name, ret);
        if (r == -ENOENT)
                return log_error_errno(-ENOENT, "Unknown container '%s' (no %s/%s.conf).", name, CONF_DIR, name);
        return r;
}

int running_leader(const char *name, Leader *ret) {
        pid_t launcher;
        int r = runner_launcher(name, &launcher);

        if (r == -ESRCH)
                return log_error_errno(r, "Container '%s' is not running.", name);
        if (r < 0)
                return r;
        return leader_of_launcher(launcher, ret);
}

bool container_is_running(const char *name) {
        RunState s;
        return runner_state(name, &s) >= 0 && s != RUN_STOPPED && s != RUN_FAILED;
}

char *live_file(const char *name) {
        return strprintf(RUN_DIR "/%s.live", name);
}

int current_generation(const char *name, unsigned *ret_number, size_t *ret_count) {
        Generation *g = NULL;
        size_t n = 0;
        int r = profile_generations(name, &g, &n);

        if (r < 0)
                return r;
        *ret_number = 0;
        for (size_t i = 0; i < n; i++)
                if (g[i].current)
                        *ret_number = g[i].number;
        *ret_count = n;
        generations_free(g, n);
        return 0;
}
