/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* systemd's foreign UID range (FOREIGN_UID_BASE, 65536 IDs; see settings.h): on disk the files of a writable bind
 * belong to it, and an idmapped mount shows them as 0..65535 inside, whichever range the container got. */

/* Warns when a writable bind's source is owned outside the range: the container would see it as nobody's. */
void foreign_bind_check(const char *source);
/* --chown-foreign=DIR: moves a tree written with identity mapping (owners 0..65535) into the foreign range, in
 * place, without following symlinks or leaving its file system. Logs; returns the number of inodes changed. */
int foreign_chown_tree(const char *path);
