/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The verbs that change a container: create, update, the generations, destroy. Each checks everything it was
 * given before it changes anything, so bad input leaves no trace, and runs under the container's lock. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "enter.h"
#include "fileio.h"
#include "live.h"
#include "journal.h"
#include "lockfile.h"
#include "log.h"
#include "logfile.h"
#include "nix.h"
#include "rmtree.h"
#include "runners.h"
#include "systemd.h"
#include "secrets.h"
#include "settings.h"
#include "store.h"
#include "stoppoint.h"
#include "strutil.h"
#include "change.h"
#include "container.h"

#ifndef GUEST_MODULE
#define GUEST_MODULE "/usr/local/share/nixos-nspawn/container.nix"
#endif

static int path_arg_check(const char *what, const char *path) {
        if (string_has_cc(path))
                return log_invalid("Invalid %s: contains control characters.", what);
        return 0;
}

/* Files we (or nix-build for us) read are regular files, as the launcher's inputs are (spawn/inputs.c): a FIFO
 * would block the build for ever while we hold the container's lock, a device may act on being opened. The check
 * opens the file the way the launcher does (open_regular()); nix-build opens it again by name, which only the
 * caller (root) could swap in between. */
static int input_file_check(const char *option, const char *path) {
        _cleanup_close_ int fd = -EBADF;
        int r = open_regular(path, &fd);

        if (r == -EISDIR || r == -EBADFD)
                return log_invalid("Cannot read %s '%s': it is %s, not a regular file.", option, path,
                                   file_type_name(path));
        if (r < 0)
                return log_error_errno(r, "Cannot read %s '%s': %m", option, path);
        return 0;
}

/* A toplevel from --config, --flake or --system (exactly one), or from what the settings recorded. */
static int build_toplevel(const Args *a, const Conf *c, char **ret, char **ret_config, char **ret_flake) {
        const char *config = a->config, *flake = a->flake, *system = a->system;
        _cleanup_free_ char *abs = NULL;
        const char *guest;
        int r;

        if (!!config + !!flake + !!system > 1)
                return log_invalid("Give one of --config, --flake and --system.");
        if (!config && !flake && !system && c) {
                config = c->config;
                flake = c->flake;
        }
        *ret_config = *ret_flake = NULL;
        if (system) {
                r = path_arg_check("--system", system);
                if (r < 0)
                        return r;
                r = toplevel_check(system);
                if (r < 0)
                        return r;
                *ret = strdup(system);
                return *ret ? 0 : log_oom();
        }
        if (flake) {
                r = path_arg_check("--flake", flake);
                if (r < 0)
                        return r;
                r = nix_build_flake(flake, ret);
                if (r < 0)
                        return r;
                *ret_flake = strdup(flake);
                return *ret_flake ? 0 : log_oom();
        }
        if (!config)
                return log_invalid("Give --config FILE, --flake REF#NAME or --system TOPLEVEL.");
        r = path_arg_check("--config", config);
        if (r < 0)
                return r;
        abs = realpath(config, NULL);
        if (!abs)
                return log_error_errno(negative_errno(), "Configuration '%s': %m", config);
        r = input_file_check("--config", abs);
        if (r < 0)
                return r;
        guest = getenv("NIXOS_NSPAWN_GUEST_MODULE");
        if (!guest)
                guest = access(GUEST_MODULE, R_OK) >= 0 ? GUEST_MODULE : NULL;
        r = nix_build_config(abs, isempty(guest) ? NULL : guest, ret);
        if (r < 0)
                return r;
        *ret_config = TAKE_PTR(abs);
        return 0;
}

static int closure_text(const Args *a, const char *toplevel, char **ret) {
        size_t size;
        int r;

        if (!a->closure)
                return nix_closure(toplevel, ret);
        r = input_file_check("--closure", a->closure);
        if (r < 0)
                return r;
        r = read_full_file(a->closure, ret, &size);
        if (r < 0)
                return log_error_errno(r, "Failed to read closure '%s': %m", a->closure);
        return 0;
}

/* Parsed and checked with the launcher's own rules; the toplevel must be in it. */
static int closure_parse(const char *text, const char *origin, const char *toplevel, Closure *ret) {
        const char *name, *reason;
        bool found = false;
        int r;

        /* the launcher's closure code logs every failure of its own, out of memory too (STYLE 14: once) */
        r = closure_add_text(ret, "/nix/store", text, origin);
        if (r < 0)
                return r;
        r = closure_finish(ret, "/nix/store");
        if (r < 0)
                return r;
        if (store_path_check("/nix/store", toplevel, &name, &reason) < 0)
                return log_invalid("'%s' is not a store path: %s.", toplevel, reason);
        for (size_t i = 0; i < ret->n && !found; i++)
                found = streq(ret->names[i], name);
        if (!found)
                return log_invalid("The closure %s does not hold '%s'.", origin, toplevel);
        return 0;
}

/* Verbs that change a container's settings or generations take its lock, so two of them never interleave (two
 * live updates would mount the same paths twice). */
typedef struct ContainerLock {
        char *path;
        int fd;
} ContainerLock;

static void container_unlock(ContainerLock *l) {
        if (l->path)
                (void) unlock_file(l->path, l->fd);
        free(l->path);
        *l = (ContainerLock) { .fd = -EBADF };
}

static int container_lock(const char *name, ContainerLock *ret) {
        int r;

        *ret = (ContainerLock) { .fd = -EBADF };
        r = mkdir_p(RUN_DIR, 0700);
        if (r < 0)
                return log_error_errno(r, "Failed to create '%s': %m", RUN_DIR);
        ret->path = strprintf(RUN_DIR "/%s.changing", name);
        if (!ret->path)
                return log_oom();
        r = lock_file_wait(ret->path, &ret->fd);
        if (r < 0) {
                free(ret->path);
                ret->path = NULL;
                return log_error_errno(r, "Failed to lock container '%s': %m", name);
        }
        return 0;
}

/* The end of a journaled change that ran to its end, well or not (it said what went wrong): a failure before the
 * settings agreed with the profile is undone now, the rest stands. r passes through. */
static int journal_close(const char *name, int r) {
        if (r < 0)
                (void) journal_recover(name, false);
        else
                journal_end(name);
        return r;
}

/* ---- create, update ---- */

/* Before anything is built or written: a stored container always starts (as far as its options go). */
static int check_launcher_args(const char *name, char **args) {
        _cleanup_free_ char *error = NULL;
        int r = launcher_args_verify(name, args, false, &error);

        if (r < 0 && error)
                return log_error_errno(r, "%s", error);
        if (r < 0)
                return log_oom();
        return 0;
}

static int strv_copy(char **l, char ***ret) {
        size_t n = strv_length(l);
        char **c = calloc(n + 1, sizeof(char *));

        if (!c)
                return log_oom();
        for (size_t i = 0; i < n; i++)
                if (!(c[i] = strdup(l[i]))) {
                        strv_freep(&c);
                        return log_oom();
                }
        *ret = c;
        return 0;
}

static int do_create(const Args *a) {
        _cleanup_free_ char *toplevel = NULL, *closure = NULL, *config = NULL, *flake = NULL, *lock = NULL;
        _cleanup_(conf_done) Conf existing = {};
        Conf c = {}; /* borrows: toplevel, config, flake and the name are not its own */
        Closure parsed = {};
        int r;

        r = name_check(a->name);
        if (r < 0)
                return r;
        r = conf_load(a->name, &existing);
        if (r >= 0)
                return log_error_errno(-EEXIST, "Container '%s' exists already.", a->name);
        if (r != -ENOENT)
                return r;
        lock = strprintf(MACHINE_LOCK_DIR "/%s", a->name);
        if (!lock)
                return log_oom();
        if (lock_is_held(lock))
                return log_error_errno(-EEXIST, "The name '%s' is taken by a running machine.", a->name);
        r = check_launcher_args(a->name, a->launcher_args);
        if (r < 0)
                return r;
        r = build_toplevel(a, NULL, &toplevel, &config, &flake);
        if (r < 0)
                return r;
        r = closure_text(a, toplevel, &closure);
        if (r >= 0)
                r = closure_parse(closure, a->closure ?: "of the new system", toplevel, &parsed);
        closure_done(&parsed);
        if (r < 0)
                return r;

        c = (Conf) { .name = (char *) a->name, .system = toplevel, .config = config, .flake = flake,
                     .restart = a->restart_set ? a->restart : RESTART_ON_FAILURE };
        r = strv_copy(a->launcher_args, &c.extra_args);
        if (r < 0)
                return r;
        r = journal_begin(a->name, "create", false);
        if (r >= 0) {
                test_stop_point("change-begun");
                r = profile_set(a->name, toplevel);
        }
        if (r >= 0) {
                test_stop_point("change-profile");
                r = conf_save(&c, closure);
        }
        strv_freep(&c.extra_args);
        r = journal_close(a->name, r);
        if (r < 0)
                return r;
        log_info("Created container '%s' (generation 1: %s).", a->name, toplevel);
        if (a->start) {
                _cleanup_(conf_done) Conf loaded = {};

                r = container_load(a->name, &loaded);
                if (r >= 0)
                        r = runner_start(&loaded, a->timeout_sec);
        }
        return r;
}

/* The new system into the running container without a restart: its missing store paths, then its
 * switch-to-configuration test, inside. */
static int live_switch(const char *name, const char *toplevel, const char *closure, const char *origin,
                       unsigned timeout_sec) {
        _cleanup_(conf_done) Conf c = {};
        _cleanup_free_ char *stc = strprintf("%s/bin/switch-to-configuration", toplevel), *live = live_file(name),
                            *record = NULL;
        Leader l = LEADER_NULL;
        Closure parsed = {};
        size_t added = 0, dropped = 0;
        int r, status;

        if (!stc || !live)
                return log_oom();
        if (access(stc, X_OK) < 0)
                return log_error_errno(-ENOEXEC, "'%s' has no bin/switch-to-configuration.", toplevel);
        r = container_load(name, &c);
        if (r >= 0)
                r = closure_parse(closure, origin, toplevel, &parsed);
        if (r >= 0)
                r = running_leader(name, &l);
        /* the new system's paths join the old one's: switch-to-configuration still stops the old system's units */
        if (r >= 0)
                r = live_update_store(name, &l, &parsed, true, &added, &dropped);
        test_stop_point("change-paths");
        if (r >= 0) {
                char *argv[] = { stc, (char *) "test", NULL };

                log_info("Switching '%s' to %s (%zu store paths added).", name, toplevel, added);
                /* root inside can make it block (or it hangs on its own): a deadline, then the restart */
                r = enter_run(&l, c.args, argv,
                              &(EnterOptions) { .start_timeout_sec = timeout_sec, .timeout_sec = timeout_sec },
                              &status);
                if (r >= 0 && status != 0)
                        r = log_error_errno(-EIO, "switch-to-configuration in '%s' exited with status %d.", name,
                                            status);
        }
        /* switched: the old system's paths the new one does not use go (a failure leaves them until the next update
         * or restart, and is no failure of the switch) */
        if (r >= 0 && live_update_store(name, &l, &parsed, false, &added, &dropped) >= 0 && dropped > 0)
                log_info("Removed %zu store paths that %s does not use from '%s'.", dropped, toplevel, name);
        closure_done(&parsed);
        if (r >= 0) {
                record = strprintf("%d %s\n", (int) l.pid, toplevel);
                if (record && mkdir_p(RUN_DIR, 0700) >= 0)
                        (void) write_file_atomic(live, record, 0600);
        }
        leader_done(&l);
        return r;
}

/* After the settings changed: nothing when stopped; otherwise a restart, or a live switch that falls back to one. */
static int apply(const Args *a, const char *toplevel, const char *closure, const char *origin) {
        _cleanup_(conf_done) Conf c = {};
        RunState state;
        int r;

        if (!container_is_running(a->name)) {
                log_info("Container '%s' is not running: it starts with %s next time.", a->name, toplevel);
                return 0;
        }
        if (a->strategy == STRATEGY_SWITCH) {
                r = live_switch(a->name, toplevel, closure, origin, a->switch_timeout_sec);
                if (r >= 0)
                        return journal_step(a->name, "applied");
                /* Stopped (or stopping) meanwhile: that was asked for, and the switch failed because of it; a
                 * restart now would undo the stop. (The supervisor says "stopping" before it signals anyone.) */
                if (runner_state(a->name, &state) >= 0 && state != RUN_RUNNING) {
                        log_info("Container '%s' was stopped during the switch, not restarting it: it starts with %s "
                                 "next time.", a->name, toplevel);
                        return 0;
                }
                log_warning("Live switch of '%s' failed: restarting it instead.", a->name);
        }
        /* From the unit's own ExecReload= (systemd sets MAINPID there), waiting for a restart job would wait for
         * ourselves. */
        if (runner_uses_systemd() && getenv("MAINPID"))
                return unit_restart_no_block(a->name);
        r = container_load(a->name, &c);
        if (r >= 0)
                r = runner_restart(&c, a->timeout_sec);
        return r;
}

static int do_update(const Args *a) {
        _cleanup_free_ char *toplevel = NULL, *closure = NULL, *config = NULL, *flake = NULL;
        Closure parsed = {};
        _cleanup_(conf_done) Conf c = {};
        int r;

        r = container_load(a->name, &c);
        if (r < 0)
                return r;
        if (c.origin == ORIGIN_DECLARATIVE) {
                /* The NixOS module's ExecReload= for its switch strategy: the module wrote the settings already */
                if (!a->system || a->strategy != STRATEGY_SWITCH || a->launcher_args[0] || a->config || a->flake ||
                    a->restart_set) {
                        r = conf_refuse_declarative(&c, "change");
                        goto finish;
                }
                r = toplevel_check(a->system);
                if (r >= 0)
                        r = closure_text(a, a->system, &closure);
                if (r >= 0)
                        r = apply(a, a->system, closure, a->closure ?: "of the new system");
                goto finish;
        }
        r = check_launcher_args(a->name, a->launcher_args);
        if (r < 0)
                goto finish;
        r = build_toplevel(a, &c, &toplevel, &config, &flake);
        if (r < 0)
                goto finish;
        r = closure_text(a, toplevel, &closure);
        if (r >= 0)
                r = closure_parse(closure, a->closure ?: "of the new system", toplevel, &parsed);
        closure_done(&parsed);
        if (r < 0)
                goto finish;
        if (a->restart_set)
                c.restart = a->restart;
        if (c.system && streq(c.system, toplevel) && !a->launcher_args[0] && !a->restart_set) {
                log_info("Container '%s' is at %s already.", a->name, toplevel);
                goto finish;
        }
        r = journal_begin(a->name, "update", a->strategy == STRATEGY_SWITCH);
        if (r < 0)
                goto finish;
        test_stop_point("change-begun");
        if (!(c.system && streq(c.system, toplevel))) {
                r = profile_set(a->name, toplevel);
                if (r < 0)
                        goto finish;
        }
        test_stop_point("change-profile");
        free(c.system);
        c.system = TAKE_PTR(toplevel);
        if (config || flake) {
                free(c.config);
                free(c.flake);
                c.config = TAKE_PTR(config);
                c.flake = TAKE_PTR(flake);
        }
        if (a->launcher_args[0]) {
                strv_freep(&c.extra_args);
                r = strv_copy(a->launcher_args, &c.extra_args);
                if (r < 0)
                        goto finish;
        }
        r = conf_save(&c, closure);
        if (r >= 0)
                r = journal_step(a->name, "saved");
        if (r < 0)
                goto finish;
        test_stop_point("change-saved");
        r = apply(a, c.system, closure, "of the new system");
finish:
        r = journal_close(a->name, r);
        return r;
}

/* The settings follow the profile's current generation, then the running container (strategy). */
static int follow_profile(const Args *a) {
        _cleanup_free_ char *toplevel = NULL, *closure = NULL;
        _cleanup_(conf_done) Conf c = {};
        int r = container_load(a->name, &c);

        if (r >= 0)
                r = profile_current(a->name, &toplevel);
        if (r >= 0)
                r = nix_closure(toplevel, &closure);
        if (r >= 0) {
                free(c.system);
                c.system = TAKE_PTR(toplevel);
                r = conf_save(&c, closure);
        }
        if (r >= 0)
                r = journal_step(a->name, "saved");
        if (r >= 0) {
                test_stop_point("change-saved");
                log_info("Container '%s' is at %s now.", c.name, c.system);
                r = apply(a, c.system, closure, "of the generation");
        }
        return r;
}

static int imperative_only(const Args *a, const char *verb) {
        _cleanup_(conf_done) Conf c = {};
        int r = container_load(a->name, &c);

        if (r >= 0)
                r = conf_refuse_declarative(&c, verb);
        return r;
}

static int do_switch_generation(const Args *a) {
        unsigned number;
        int r = imperative_only(a, "switch generations of");

        if (r < 0)
                return r;
        if (!a->rest || !a->rest[0] || a->rest[1] || safe_atou32(a->rest[0], &number) < 0 || number == 0)
                return log_invalid("switch-generation needs one generation number, got '%s'.",
                                   a->rest && a->rest[0] ? a->rest[0] : "");
        r = journal_begin(a->name, "switch-generation", a->strategy == STRATEGY_SWITCH);
        if (r < 0)
                return r;
        test_stop_point("change-begun");
        r = profile_switch(a->name, number);
        if (r >= 0) {
                test_stop_point("change-profile");
                r = follow_profile(a);
        }
        return journal_close(a->name, r);
}

static int do_rollback(const Args *a) {
        int r = imperative_only(a, "roll back");

        if (r < 0)
                return r;
        r = journal_begin(a->name, "rollback", a->strategy == STRATEGY_SWITCH);
        if (r < 0)
                return r;
        r = profile_rollback(a->name);
        if (r >= 0) {
                test_stop_point("change-profile");
                r = follow_profile(a);
        }
        return journal_close(a->name, r);
}

static int do_delete_generations(const Args *a) {
        int r = imperative_only(a, "delete generations of");

        if (r >= 0)
                r = profile_delete(a->name, a->rest);
        return r;
}

static int do_destroy(const Args *a) {
        _cleanup_free_ char *log = NULL, *state = strprintf(STATE_DIR "/%s", a->name), *live = NULL;
        _cleanup_(conf_done) Conf c = {};
        int r = container_load(a->name, &c);

        if (r >= 0)
                r = conf_refuse_declarative(&c, "remove");
        if (r >= 0 && !state)
                r = log_oom();
        /* before anything changes: a host directory bound into the state is the admin's to unmount */
        if (r >= 0 && a->delete_state)
                r = refuse_mounts_below(state);
        if (r < 0)
                return r;
        r = runner_stop(a->name, false, a->timeout_sec);
        if (r < 0)
                return r;
        r = conf_remove(a->name);
        if (r >= 0)
                r = profile_remove(a->name);
        log = strprintf(LOG_DIR "/%s.log", a->name);
        live = live_file(a->name);
        if (!log || !live)
                return log_oom();
        (void) unlink(log);
        {
                _cleanup_free_ char *rotated = log_file_rotated(log);
                if (rotated)
                        (void) unlink(rotated);
        }
        (void) unlink(live);
        if (r >= 0 && a->delete_state) {
                /* root inside filled it: by fd, no symlink followed, stopping at any mount point (rmtree.h) */
                r = rm_tree_one_mount(state);
                if (r == -ENOENT)
                        r = 0;
                if (r < 0)
                        return r; /* logged, naming what is left */
        }
        if (r >= 0)
                log_info("Destroyed container '%s'%s.", a->name, a->delete_state ? " and its state" : "");
        return r;
}

/* Settings saved before credentials had files of their own may still hold --set-credential=ID:VALUE, which would
 * put the value on the launcher's command line: saved again before a start, the value moves to a root-only file
 * (secrets.h). A declarative container's settings are NixOS's (its module refuses --set-credential now). */
static int do_upgrade_credentials(const Args *a) {
        _cleanup_free_ char *path = closure_path(a->name), *closure = NULL;
        bool found = false;
        size_t size;
        _cleanup_(conf_done) Conf c = {};
        int r = container_load(a->name, &c);

        if (r < 0)
                return r;
        for (char **p = c.extra_args; p && *p; p++)
                found = found || startswith(*p, SET_CREDENTIAL);
        if (found && c.origin == ORIGIN_IMPERATIVE) {
                r = path ? read_full_file(path, &closure, &size) : log_oom();
                if (r < 0 && path)
                        log_error_errno(r, "Failed to read '%s': %m", path);
                if (r >= 0)
                        r = conf_save(&c, closure);
                if (r >= 0)
                        log_info("Moved the credentials of container '%s' out of its settings into root-only files.",
                                 c.name);
        }
        return r;
}

/* ---- the changing verbs, under the container's lock ---- */

static int locked(const Args *a, int (*verb)(const Args *a)) {
        ContainerLock l;
        int r = name_check(a->name);

        if (r >= 0)
                r = container_lock(a->name, &l);
        if (r < 0)
                return r;
        r = journal_recover(a->name, true);
        if (r >= 0)
                r = verb(a);
        container_unlock(&l);
        return r;
}

int change_recover(const char *name) {
        _cleanup_free_ char *path = strprintf(RUN_DIR "/%s.changing", name);
        int fd = -EBADF, r;

        if (!path)
                return log_oom();
        /* held: a change is under way, not killed; its own end is its business */
        if (mkdir_p(RUN_DIR, 0700) < 0 || lock_file(path, &fd) < 0)
                return 0;
        r = journal_recover(name, true);
        (void) unlock_file(path, fd);
        return r;
}

int verb_create(const Args *a) {
        return locked(a, do_create);
}
int upgrade_credentials(const Args *a) {
        bool found = false;
        _cleanup_(conf_done) Conf c = {};
        int r = container_load(a->name, &c);

        /* the lock only when there is something to move: a start never waits for another verb otherwise */
        for (char **p = c.extra_args; r >= 0 && p && *p; p++)
                found = found || startswith(*p, SET_CREDENTIAL);
        if (r < 0 || !found)
                return r;
        return locked(a, do_upgrade_credentials);
}
int verb_update(const Args *a) {
        return locked(a, do_update);
}
int verb_switch_generation(const Args *a) {
        return locked(a, do_switch_generation);
}
int verb_rollback(const Args *a) {
        return locked(a, do_rollback);
}
int verb_delete_generations(const Args *a) {
        return locked(a, do_delete_generations);
}
int verb_destroy(const Args *a) {
        return locked(a, do_destroy);
}

