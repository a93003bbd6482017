/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>

/* The cgroup a process entering the container runs in: a fresh leaf of ours next to the cgroup the container was
 * given (its "payload", or its scope), never PID 1's current cgroup.
 *
 * Why: root inside owns its delegated cgroup and everything below it. It can move PID 1 into a child cgroup and
 * freeze that (cgroup.freeze is no controller: it works in every cgroup2 hierarchy), and a process joining PID 1's
 * cgroup then freezes with it, for ever. A cgroup is frozen when it or an ancestor is; the leaf's ancestors are
 * the host's (the container cannot write their cgroup.freeze). Nor can it move our process into a cgroup of its
 * own: moving needs write access to the common ancestor's cgroup.procs, and that ancestor is above what it was
 * given (and outside its cgroup namespace). The price: limits set below that common ancestor (on the payload
 * itself) do not bind what `run` starts; limits on the machine's cgroup do.
 *
 * The container's cgroup is found as the highest cgroup on PID 1's path that belongs to the container's root (it
 * was handed to it; everything above is the host's, and the container can only add below): PID 1's path alone
 * is the container's to choose. With -U no the container's root is ours and nothing is handed over: the leaf goes
 * next to PID 1's current cgroup (root inside is the host's root then, and could do worse). */
int enter_cgroup_make(pid_t pid1, char **ret_path);
/* The cgroup (a /sys/fs/cgroup path) the container's was made in: the machine's, whose limits bind it, the
 * launcher and what `run` starts. Found the same way; nothing is made. -errno. */
int enter_cgroup_machine(pid_t pid1, char **ret_path);
/* Removes the leaf when it is empty (what the command left running stays until the container stops), frees path. */
void enter_cgroup_remove(char *path);
