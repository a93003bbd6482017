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
/* Once registered: the connection goes. machined follows the machine by its leader and unit, not by our connection,
 * and a connection held for the container's life counted against the bus's limit for root (dbus-daemon's
 * max_connections_per_user, 256 by default): about 250 running containers, and every other root client, would have
 * found the bus closed to them. */
void machined_disconnect(Machined *m);
/* Tells machined the machine is gone (on a connection of its own when the first one went), then forgets it. */
void machined_unregister(Machined *m);
