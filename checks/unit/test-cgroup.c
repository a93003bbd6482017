/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The cgroup mode, decided once before anything is made (cgroup_mode_for()). */
#include "cgroup.h"
#include "tap.h"

int main(void) {
        is_int(cgroup_mode_for(true, true, true), CGROUP_DELEGATED, "a delegated unit's cgroup is used, registering");
        is_int(cgroup_mode_for(true, true, false), CGROUP_DELEGATED, "…and without registering");
        is_int(cgroup_mode_for(true, false, false), CGROUP_DELEGATED, "…and however systemd was found");
        is_int(cgroup_mode_for(false, true, true), CGROUP_SCOPE, "from a shell on a systemd host: machined's scope");
        is_int(cgroup_mode_for(false, true, false), CGROUP_STANDALONE, "--register=no on a systemd host: our own");
        is_int(cgroup_mode_for(false, false, true), CGROUP_STANDALONE, "no systemd: our own");
        is_int(cgroup_mode_for(false, false, false), CGROUP_STANDALONE, "no systemd, not registering: our own");
        return tap_done();
}
