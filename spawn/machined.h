/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "sdbus-dl.h"
#include "settings.h"

/* Registration with systemd-machined, so machinectl, systemctl -M and journalctl -M reach the container. */
typedef struct Machined {
        sd_bus *bus;
        char *name;
        bool registered;
} Machined;

/* Connects to the system bus; -errno when there is none (no systemd on this host). */
int machined_connect(Machined *m);
/* Inside our own unit: the machine is the unit (RegisterMachineWithNetwork). */
int machined_register(Machined *m, const Settings *s, pid_t leader, const int *ifindexes, size_t n_ifindexes);
/* From a shell: machined makes machine-NAME.scope for the leader (CreateMachineWithNetwork). */
int machined_create(Machined *m, const Settings *s, pid_t leader, const int *ifindexes, size_t n_ifindexes);
void machined_unregister(Machined *m);
