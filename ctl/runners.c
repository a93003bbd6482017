/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>
#include <unistd.h>

#include "runners.h"
#include "strutil.h"
#include "supervise.h"
#include "systemd.h"

bool runner_uses_systemd(void) {
        const char *e = getenv("NIXOS_NSPAWNCTL_NO_SYSTEMD");

        if (e && streq(e, "1"))
                return false;
        return access("/run/systemd/system/", F_OK) >= 0;
}

const Runner *runner(void) {
        return runner_uses_systemd() ? &systemd_runner : &supervisor_runner;
}

int runner_start(const Conf *c, unsigned timeout_sec) {
        /* a settings file may have been edited by hand: what the launcher would refuse (or a --machine= that
         * would run it as another machine) is refused here, by the same table */
        int r = conf_verify_args(c);

        return r < 0 ? r : runner()->start(c, timeout_sec);
}

int runner_stop(const char *name, bool kill_now, unsigned timeout_sec) {
        return runner()->stop(name, kill_now, timeout_sec);
}

int runner_restart(const Conf *c, unsigned timeout_sec) {
        int r = conf_verify_args(c);

        return r < 0 ? r : runner()->restart(c, timeout_sec);
}

int runner_state(const char *name, RunState *ret) {
        return runner()->state(name, ret);
}

int runner_launcher(const char *name, pid_t *ret) {
        return runner()->launcher(name, ret);
}

int runner_describe(const char *name, char **ret) {
        return runner()->describe(name, ret);
}
