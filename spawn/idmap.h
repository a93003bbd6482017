/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "settings.h"

/* Some file systems refuse idmapped mounts: overlayfs (a NixOS VM test's /nix/store), 9p, NFS, CIFS, FUSE without
 * the server's consent, ZFS before 2.2. What the launcher does on them is decided once, by the monitor, before
 * clone (idmap_plan()); the children only follow it. */

/* 1: a clone of path (recursive: with the mounts below it) takes MOUNT_ATTR_IDMAP with userns_fd; 0: its file
 * system refuses that while the same clone takes the other attributes; -errno: it failed otherwise (the real mount
 * says how, later). Makes nothing: the clone is detached and dropped. */
int idmap_supported(const char *path, bool recursive, int userns_fd);

/* The file system type of path as a short name for messages ("overlay", "9p", "nfs", …, else its magic number). */
void idmap_fs_name(const char *path, char *buf, size_t size);

/* What is mounted without idmapping although idmapping was wanted. */
typedef struct IdmapFallback {
        bool store;  /* the store's view: read-only, nosuid, nodev; its files are nobody's inside */
        bool *binds; /* per Settings.binds (NULL when none falls back): read-only binds only */
} IdmapFallback;

/* The monitor's decision, made once: checks the store (when there is a closure), the -D image and every idmapped
 * bind against their file systems, with the container's user namespace (userns_fd). The store and read-only binds fall back (one warning line each), a writable
 * bind or an image directory that cannot be idmapped is an error that names it. Logs. */
int idmap_plan(const Settings *s, bool has_closure, int userns_fd, IdmapFallback *ret);
void idmap_fallback_done(IdmapFallback *f);
