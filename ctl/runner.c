/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "runner.h"
#include "strutil.h"

const char *run_state_name(RunState s) {
        static const char *const names[] = {
                [RUN_STOPPED] = "stopped",
                [RUN_STARTING] = "starting",
                [RUN_RUNNING] = "running",
                [RUN_STOPPING] = "stopping",
        };
        return names[s];
}

/* As sd_booted(): systemd is the host's init. NIXOS_NSPAWNCTL_NO_SYSTEMD=1 supervises anyway (for tests of that
 * mode on a systemd host). */
bool runner_uses_systemd(void) {
        const char *e = getenv("NIXOS_NSPAWNCTL_NO_SYSTEMD");

        if (e && streq(e, "1"))
                return false;
        return access("/run/systemd/system/", F_OK) >= 0;
}

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

int runner_start(const Conf *c, unsigned timeout_sec) {
        /* a settings file may have been edited by hand: what the launcher would refuse (or a --machine= that
         * would run it as another machine) is refused here, by the same table */
        int r = conf_verify_args(c);

        if (r < 0)
                return r;
        return runner_uses_systemd() ? unit_start(c->name, false, timeout_sec) : supervise_start(c, timeout_sec);
}

int runner_stop(const char *name, bool kill_now, unsigned timeout_sec) {
        return runner_uses_systemd() ? unit_stop(name, kill_now, timeout_sec)
                                     : supervise_stop(name, kill_now, timeout_sec);
}

int runner_restart(const Conf *c, unsigned timeout_sec) {
        int r = conf_verify_args(c);

        if (r < 0)
                return r;
        if (runner_uses_systemd())
                return unit_start(c->name, true, timeout_sec);
        r = supervise_stop(c->name, false, timeout_sec);
        if (r < 0)
                return r;
        return supervise_start(c, timeout_sec);
}

int runner_state(const char *name, RunState *ret) {
        return runner_uses_systemd() ? unit_state(name, ret) : supervise_state(name, ret);
}

int runner_launcher(const char *name, pid_t *ret) {
        return runner_uses_systemd() ? unit_launcher(name, ret) : supervise_launcher(name, ret);
}

int runner_describe(const char *name, char **ret) {
        *ret = runner_uses_systemd() ? strprintf("unit nixos-nspawn@%s.service (journalctl -u nixos-nspawn@%s)", name,
                                                 name)
                                     : strprintf("supervised by nixos-nspawnctl, log /var/log/nixos-nspawn/%s.log",
                                                 name);
        return *ret ? 0 : log_oom();
}
