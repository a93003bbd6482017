/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>

/* The host side of a container's /nix/store. The container's store mount is a slave of PROPAGATE_DIR/NAME, so a
 * mount the host makes there later appears in the running container's store: this is how a live update
 * (nixos-nspawnctl update --strategy switch) adds store paths without a restart. */
#define PROPAGATE_DIR "/run/nixos-nspawn/propagate"

/* Parent, under the machine lock: mounts a fresh tmpfs (owned by uid, the container's root) at
 * PROPAGATE_DIR/machine and makes it the only member of a new peer group. A leftover of a killed launcher of the
 * same name is removed first. */
int propagate_create(const char *machine, uid_t uid, char **ret_path);

/* Unmounts (lazily, with whatever the host mounted below it) and removes it. Accepts NULL; frees *path. */
void propagate_remove(char **path);
