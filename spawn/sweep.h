/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

/* What a SIGKILLed launcher leaves, and the next start of any name removes. Everything dies with the container's
 * namespaces except: lock files (machine, UID range: ours and systemd-nspawn's), the standalone cgroup, host
 * networkd units, a network namespace export (whose bind keeps the namespace, and so its veth, alive) and the
 * store propagation point. Each is removed only when its machine's lock is provably free. */

#define MACHINE_LOCK_DIR "/run/nixos-nspawn/machines"
/* One file per exported namespace, named by the machine, holding the export's path: the path may be anything
 * (--network-namespace-export=PATH), and a sweep must know it without the dead launcher's settings. */
#define EXPORT_RECORD_DIR "/run/nixos-nspawn/exports"

typedef bool (*MachineIsRunningFn)(const char *machine);

/* Written before the export is mounted, removed after it is unmounted. */
int export_record_write(const char *machine, const char *path);
void export_record_remove(const char *machine);
/* What a killed launcher of this machine left of its export (the sweep's, and a start's for its own name, which the
 * sweep skips: its lock is held, by the starting launcher itself). Call it holding the machine's lock. */
void export_remove_stale(const char *machine);

/* At every start, before our own resources are made. Cheap when there is nothing to do: a few readdir()s. */
void sweep_stale(MachineIsRunningFn machine_is_running);
/* What a killed launcher of this very name left: the sweep above skips the starting launcher's own name (its lock
 * is held: by the starting launcher itself), so a restart of the same name (Restart=) would find its export's
 * record (and fail), its port forwards' record (and fail: both are written O_EXCL) and chains, its propagation
 * point, and its standalone cgroup with the dead container's cgroups in it (seen by the new container as its own). Call it holding the machine's lock: anything of that name is stale. */
void sweep_machine(const char *machine);
