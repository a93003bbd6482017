/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"
#include "enter.h"

typedef enum Strategy {
        STRATEGY_RESTART,
        STRATEGY_SWITCH,
} Strategy;

/* What the command line gave; filled by main.c, read by the verbs. */
typedef struct Args {
        const char *name;
        const char *config;     /* --config FILE */
        const char *flake;      /* --flake REF#NAME */
        const char *system;     /* --system TOPLEVEL */
        const char *closure;    /* --closure FILE (update) */
        Strategy strategy;
        bool json;
        bool delete_state;
        bool start;             /* create --start */
        unsigned timeout_sec;   /* --timeout: a start's wait for READY=1, a stop's for the end */
        unsigned switch_timeout_sec; /* a live switch's wait for switch-to-configuration: --timeout when given */
        char **launcher_args;   /* create/update: options for the launcher */
        char **rest;            /* run: the command; switch-generation: N; delete-generations: specs */
} Args;

int verb_create(const Args *a);
/* Before a start: settings of an older nixos-nspawnctl that hold a credential's value get it moved to a root-only
 * file (change.c). */
int upgrade_credentials(const Args *a);
int verb_start(const Args *a);
int verb_stop(const Args *a);
int verb_restart(const Args *a);
int verb_terminate(const Args *a);
int verb_status(const Args *a);
int verb_state(const Args *a);
int verb_exists(const Args *a);
int verb_run(const Args *a);
int verb_login(const Args *a);
int verb_root_login(const Args *a);
int verb_show_ip(const Args *a);
int verb_list(const Args *a);
int verb_update(const Args *a);
int verb_list_generations(const Args *a);
int verb_switch_generation(const Args *a);
int verb_rollback(const Args *a);
int verb_delete_generations(const Args *a);
int verb_destroy(const Args *a);
/* Finishes or undoes a change of name that was killed (journal.h), unless one is under way. */
int change_recover(const char *name);

/* Shared by verbs.c and change.c. Each logs its failures. */
int name_check(const char *name);
/* The container's settings; a missing one is the user's error ("Unknown container"). */
int load(const char *name, Conf *ret);
int running_leader(const char *name, Leader *ret);
bool is_running(const char *name);
/* RUN_DIR/NAME.live: "PID1 TOPLEVEL" of the last live switch */
char *live_file(const char *name);
int current_generation(const char *name, unsigned *ret_number, size_t *ret_count);
