/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

/* Where a container's settings and generations live. The NixOS module writes the same files for its
 * (declarative) containers, so both kinds share one layout and one `list`. */
#define CONF_DIR "/etc/nixos-nspawn"            /* NAME.conf: environment file of nixos-nspawn@NAME.service */
#define PROFILE_DIR "/nix/var/nix/profiles/per-nspawn" /* NAME/system: a Nix profile, one generation per toplevel */
#define STATE_DIR "/var/lib/nixos-nspawn"       /* NAME: the conventional place for a container's binds */
#define RUN_DIR "/run/nixos-nspawnctl"          /* NAME.lock, NAME.state: a supervised (no-systemd) container */
#define LOG_DIR "/var/log/nixos-nspawn"         /* NAME.log: its launcher's output, without systemd */
#define MACHINE_LOCK_DIR "/run/nixos-nspawn/machines" /* the launcher's name locks (spawn/spawn.c) */

typedef enum Origin {
        ORIGIN_IMPERATIVE,
        ORIGIN_DECLARATIVE,
} Origin;

/* What the supervisor (no systemd) does when the launcher ends without a stop asked for: systemd's Restart= values
 * of the same names. A reboot inside (exit 133) restarts under each. */
typedef enum RestartPolicy {
        RESTART_ON_FAILURE, /* the default, the unit's: a non-zero exit or a signal */
        RESTART_NO,
        RESTART_ALWAYS,
        _RESTART_POLICY_MAX,
} RestartPolicy;

const char *restart_policy_name(RestartPolicy p);
/* -EINVAL for anything but no, on-failure, always (not logged) */
int restart_policy_parse(const char *s, RestartPolicy *ret);

/* NAME.conf. Keys: NIXOS_NSPAWN_ARGS (the launcher's flags: ours first, --closure and --init, then the user's),
 * NIXOS_NSPAWN_SYSTEM (the toplevel), NIXOS_NSPAWN_ORIGIN, and for imperative containers where the toplevel
 * comes from: NIXOS_NSPAWN_CONFIG (a file) or NIXOS_NSPAWN_FLAKE (REF#NAME); NIXOS_NSPAWN_RESTART (RestartPolicy,
 * the supervisor's; under systemd the unit's Restart= applies). */
typedef struct Conf {
        char *name;
        char *system;
        char *config;
        char *flake;
        char **args;       /* NIXOS_NSPAWN_ARGS, split as systemd splits it */
        char **extra_args; /* the user's launcher options (args without --closure/--init) */
        Origin origin;
        RestartPolicy restart;
        bool in_store;     /* the file is a link into the Nix store: NixOS manages it */
} Conf;

void conf_done(Conf *c);
/* The file of container NAME (allocated). */
char *conf_path(const char *name);
char *closure_path(const char *name);
/* -ENOENT when there is no such container (not logged: callers say "unknown container"). Other errors logged. */
int conf_load(const char *name, Conf *ret);
/* Writes NAME.conf and NAME.closure (closure_text: store paths, one a line) atomically. A --set-credential= among
 * the extra_args is saved as a root-only file and --load-credential= of it (secrets.h). */
int conf_save(const Conf *c, const char *closure_text);
/* Removes NAME.conf, NAME.closure and NAME's credential files. */
int conf_remove(const char *name);
/* Lists the container names that have a NAME.conf, sorted (a NULL-terminated list). */
int conf_list(char ***ret);

/* Whether launcher options may be stored with container name: each must be one a user may store (stored = false:
 * given to create/update) or, in a settings file (stored = true), also one of the system's (--closure,
 * --store-path, --init, written by us or the NixOS module); decided by the launcher's own option table
 * (spawn/options.h), never by spelling. Then the whole is checked as `nixos-nspawn --check` would: what a start
 * would refuse is refused first. -EINVAL with *ret_error, or -ENOMEM. Nothing logged. */
int launcher_args_verify(const char *name, char *const *args, bool stored, char **ret_error);
/* The settings' options, checked before a start (a hand-edited file may carry anything). Logs. */
int conf_verify_args(const Conf *c);
/* The settings of a declarative container belong to the NixOS configuration: refuses (logging) verb on it. */
int conf_refuse_declarative(const Conf *c, const char *verb);
