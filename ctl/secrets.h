/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Credentials given to create or update as --set-credential=ID:VALUE are secrets. NAME.conf is world-readable
 * (0644, as the NixOS module's is) and NIXOS_NSPAWN_ARGS becomes the launcher's command line, which every local
 * user can read in /proc/PID/cmdline. So the value goes to a file in CONF_DIR/NAME.credentials/ (directory 0700,
 * files 0600, root's) and the settings carry --load-credential=ID:THAT-FILE instead: the launcher reads it at
 * start, as it reads the NixOS module's credential files.
 *
 * Each save writes fresh files (ID.RANDOM) and removes the ones the settings no longer name only after the new
 * settings are in place: killed in between, the old settings still name their own, unchanged files, and the next
 * save or destroy removes the orphans. */

#define SET_CREDENTIAL "--set-credential="

/* The directory of NAME's credential files (allocated). */
char *secrets_dir(const char *name);
/* args with every --set-credential=ID:VALUE written to a new file and replaced by --load-credential=ID:FILE (a new
 * list, same order). A bad or repeated ID is refused, naming only the ID (the value may be a secret). Logs. */
int secrets_store(const char *name, char **args, char ***ret_args);
/* Removes the files secrets_store() wrote for stored (from args) when the settings naming them were not saved,
 * and NAME's directory when that leaves it empty. */
void secrets_unstore(const char *name, char **args, char **stored);
/* Removes NAME's credential files that args do not name, and the directory when none is left (args NULL: all).
 * Logs, returns the first error. */
int secrets_prune(const char *name, char **args);
