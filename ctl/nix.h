/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

/* Runs argv (searched in PATH), its stderr ours, and returns its stdout (trailing newlines cut) in *ret_stdout
 * when that is not NULL. A non-zero exit is -EIO, not logged (the command said why on stderr); a missing command
 * is -ENOENT, logged. */
int run_command(char *const argv[], char **ret_stdout);

/* A toplevel from a configuration file, built with <nixpkgs/nixos> and the guest module (NULL: none). */
int nix_build_config(const char *file, const char *guest_module, char **ret_toplevel);
/* A toplevel from REF#NAME: the flake's nixosConfigurations.NAME. */
int nix_build_flake(const char *ref, char **ret_toplevel);
/* `nix-store -qR toplevel`: one store path a line. */
int nix_closure(const char *toplevel, char **ret_text);
/* Checks that path is a NixOS toplevel we can boot: a store path with an executable init. Logs why not. */
int toplevel_check(const char *path);

/* Generations of the profile PROFILE_DIR/NAME/system (profile.h). */
typedef struct Generation {
        unsigned number;
        char *system;
        bool current;
} Generation;

int profile_generations(const char *name, Generation **ret, size_t *ret_n);
void generations_free(Generation *g, size_t n);
/* Records toplevel as a new generation (nix-env --set). */
int profile_set(const char *name, const char *toplevel);
/* Makes generation N current; logs when there is none. */
int profile_switch(const char *name, unsigned number);
/* The generation before the current one. */
int profile_rollback(const char *name);
/* nix-env --delete-generations with spec (old, +N, Nd or numbers). */
int profile_delete(const char *name, char *const spec[]);
/* Removes the profile with every generation (their GC roots). */
int profile_remove(const char *name);
/* The toplevel of the current generation (allocated), or -ENOENT. */
int profile_current(const char *name, char **ret);
