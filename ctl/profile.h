/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Where container NAME's generations live: the Nix profile PROFILE_DIR/NAME/system, its generations
 * system-N-link next to it, in a directory of NAME's own. (They used to share PROFILE_DIR itself: the profile
 * PROFILE_DIR/NAME and its links PROFILE_DIR/NAME-N-link, so a container named "A-1-link" overwrote generation 1
 * of A. A name has no '/', so now no name reaches into another's directory.) Nix finds the links as GC roots by
 * walking /nix/var/nix/profiles, subdirectories included. */

#define PROFILE_NAME "system"

char *profile_dir(const char *name);  /* PROFILE_DIR/NAME (allocated) */
char *profile_path(const char *name); /* PROFILE_DIR/NAME/system (allocated) */
/* N of a generation link "PREFIX-N-link"; -EINVAL when entry is not one. */
int generation_link_number(const char *entry, const char *prefix, unsigned *ret);
/* Moves a profile of the old layout into NAME's directory, or finishes a move that was killed half-way; nothing
 * when there is none (the usual case costs two lstat()s). Every profile function calls it first. Logs. */
int profile_migrate(const char *name);
