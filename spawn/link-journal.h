/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "settings.h"

/* The container's machine ID when --uuid does not give one: a keyed hash (SipHash) of its name with the host's
 * machine-id as the key. The same at every start of the same name on the same host, so its journal directory
 * /var/log/journal/ID and what machined shows stay the same; different on another host (two hosts' journals of a
 * container called "web" do not merge), and the container cannot work the host's machine-id out of it. systemd
 * inside takes it for /etc/machine-id from container_uuid= (environ.c) while /etc/machine-id is empty, as it is on
 * the tmpfs root. Without a host machine-id a fixed key stands in: still stable per name. An image (-D) whose
 * /etc/machine-id holds an ID gives that one: systemd inside takes it over container_uuid= (as systemd-nspawn). */
int machine_id_pick(Settings *s);

/* --link-journal, as systemd-nspawn means it, for an always-ephemeral root:
 *   host, try-host: /var/log/journal/ID is made on the host (never its parents: a host that keeps no persistent
 *                   journal is an error for host, nothing for try-host) and bound at the same path inside, writable,
 *                   like a --bind: in the foreign range on disk with a user namespace, so it outlives the container
 *                   and a restart appends to it;
 *   auto:           the same when the host's /var/log/journal/ID exists already, else nothing;
 *   guest:          nothing on the host: the journal stays in the container's own file system (journald's
 *                   /var/log/journal on the tmpfs root), readable with journalctl -M while it runs and gone at stop.
 *                   No host symlink into the container's root as systemd-nspawn makes: that root exists only in
 *                   the container's mount namespace, and a host link into a tree root inside controls would let
 *                   it point the host's tools at host files;
 *   no:             nothing.
 * Adds the bind to s->binds (last: on top of any bind of /var). Needs root; logs. */
int journal_link_prepare(Settings *s);
