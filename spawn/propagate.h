/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>

/* The host side of a container's /nix/store. The container's store mount is a slave of PROPAGATE_DIR/NAME, so a
 * mount the host makes there later appears in the running container's store: this is how a live update
 * (nixos-nspawnctl update --strategy switch) adds store paths without a restart. */
#define PROPAGATE_DIR "/run/nixos-nspawn/propagate"
/* From a container's first live update on, its point lives in a small mount namespace of its own instead (so that
 * the layers a live update attaches there never enter the host's mount table: ctl/live.c), at PROPAGATE_NS_POINT
 * there, kept by a bind of its nsfs file at PROPAGATE_NS_DIR/NAME (root's, 0400; nskeep.h). */
#define PROPAGATE_NS_DIR "/run/nixos-nspawn/propagate-ns"
#define PROPAGATE_NS_POINT "/p"
/* One propagation point per bind added to a running container (nixos-nspawnctl bind, ctl/bind.c):
 * PROPAGATE_BINDS_DIR/NAME/ID, where ID names the container path. The container's mount point there is a slave of
 * it; the launcher removes them all at stop, and a killed launcher's at the next start. */
#define PROPAGATE_BINDS_DIR "/run/nixos-nspawn/binds"

/* Parent, under the machine lock: attaches view_root_fd (a detached clone of the store view's tmpfs, view.h) at
 * PROPAGATE_DIR/machine and makes it the only member of a new peer group. A leftover of a killed launcher of the
 * same name is removed first. */
int propagate_create(const char *machine, int view_root_fd, char **ret_path);

/* Makes PROPAGATE_BINDS_DIR/machine/id the same way, owned by host root. */
int propagate_bind_create(const char *machine, const char *id, char **ret_path);
/* Unmounts one (lazily, with the bind below it, whose copy in the container goes with it) and removes it. */
void propagate_bind_remove(const char *path);

/* Unmounts (lazily, with whatever the host mounted below it) and removes it, the namespace that holds it after a
 * live update (PROPAGATE_NS_DIR/NAME), and the machine's binds' points. Accepts NULL; frees *path. */
void propagate_remove(char **path);
