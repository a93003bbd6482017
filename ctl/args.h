/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "conf.h"

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
        bool restart_set;       /* create/update --restart=POLICY */
        RestartPolicy restart;
        bool json;
        bool delete_state;
        bool start;             /* create --start */
        bool read_only;         /* bind --read-only */
        unsigned timeout_sec;   /* --timeout: a start's wait for READY=1, a stop's for the end */
        unsigned switch_timeout_sec; /* a live switch's wait for switch-to-configuration: --timeout when given */
        char **launcher_args;   /* create/update: options for the launcher */
        char **rest;            /* run: the command; switch-generation: N; delete-generations: specs */
} Args;
