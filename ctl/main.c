/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nixos-nspawnctl: the command line. The verbs are in verbs.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bind.h"
#include "log.h"
#include "strutil.h"
#include "change.h"
#include "verbs.h"

enum {
        TAKES_NAME = 1 << 0,
        TAKES_SOURCE = 1 << 1,   /* --config, --flake, --system */
        TAKES_LAUNCHER = 1 << 2, /* other --options are the launcher's */
        TAKES_STRATEGY = 1 << 3,
        TAKES_REST = 1 << 4,     /* more positional arguments */
        TAKES_COMMAND = 1 << 5,  /* -- COMMAND… */
};

/* A verb returns 0 or -errno (logged). Those with a status of their own (run's command's, exists' answer) give
 * it through run_status: the process's exit status is that, or EXIT_FAILURE for an error, never an errno. */
typedef struct Verb {
        const char *name;
        int (*run)(const Args *a);
        int (*run_status)(const Args *a, int *ret_status);
        int flags;
} Verb;

static const Verb verbs[] = {
        { "create", .run = verb_create, .flags = TAKES_NAME | TAKES_SOURCE | TAKES_LAUNCHER },
        { "start", .run = verb_start, .flags = TAKES_NAME },
        { "stop", .run = verb_stop, .flags = TAKES_NAME },
        { "restart", .run = verb_restart, .flags = TAKES_NAME },
        { "terminate", .run = verb_terminate, .flags = TAKES_NAME },
        { "status", .run = verb_status, .flags = TAKES_NAME },
        { "state", .run = verb_state, .flags = TAKES_NAME },
        { "exists", .run_status = verb_exists, .flags = TAKES_NAME },
        { "run", .run_status = verb_run, .flags = TAKES_NAME | TAKES_COMMAND },
        { "login", .run_status = verb_login, .flags = TAKES_NAME },
        { "root-login", .run_status = verb_root_login, .flags = TAKES_NAME },
        { "show-ip", .run = verb_show_ip, .flags = TAKES_NAME },
        { "logs", .run_status = verb_logs, .flags = TAKES_NAME },
        { "bind", .run = verb_bind, .flags = TAKES_NAME | TAKES_REST },
        { "unbind", .run = verb_unbind, .flags = TAKES_NAME | TAKES_REST },
        { "list", .run = verb_list },
        { "update", .run = verb_update, .flags = TAKES_NAME | TAKES_SOURCE | TAKES_LAUNCHER | TAKES_STRATEGY },
        { "list-generations", .run = verb_list_generations, .flags = TAKES_NAME },
        { "switch-generation", .run = verb_switch_generation, .flags = TAKES_NAME | TAKES_STRATEGY | TAKES_REST },
        { "rollback", .run = verb_rollback, .flags = TAKES_NAME | TAKES_STRATEGY },
        { "delete-generations", .run = verb_delete_generations, .flags = TAKES_NAME | TAKES_REST },
        { "destroy", .run = verb_destroy, .flags = TAKES_NAME },
};

static void help(void) {
        printf("nixos-nspawnctl [--timeout=SEC] VERB …: imperative nixos-nspawn containers\n\n"
               "  create NAME --config FILE.nix | --flake REF#NAME | --system TOPLEVEL [--start]\n"
               "              [--restart no|on-failure|always] [LAUNCHER-OPTION…]\n"
               "  start|stop|restart|terminate|status|state|exists NAME\n"
               "  run NAME -- COMMAND…          login NAME          root-login NAME          show-ip NAME\n"
               "  logs NAME\n"
               "  bind NAME SOURCE DESTINATION [--read-only]      unbind NAME DESTINATION\n"
               "  list [--json]\n"
               "  update NAME [--config FILE | --flake REF | --system TOPLEVEL] [--closure FILE]\n"
               "              [--strategy restart|switch] [--restart no|on-failure|always] [LAUNCHER-OPTION…]\n"
               "  list-generations NAME      switch-generation NAME N [--strategy …]      rollback NAME [--strategy …]\n"
               "  delete-generations NAME old|+N|Nd|N…\n"
               "  destroy NAME [--delete-state]\n\n"
               "See nixos-nspawnctl(1).\n");
}

/* "--key=value" or "--key value": the value, advancing *i past a separate one. NULL when arg is not --key. */
static const char *option_value(char **argv, int argc, int *i, const char *key, bool *bad) {
        const char *rest = startswith(argv[*i], key);

        if (!rest)
                return NULL;
        if (*rest == '=')
                return rest + 1;
        if (*rest)
                return NULL;
        if (*i + 1 >= argc) {
                log_invalid("Option '%s' needs a value.", key);
                *bad = true;
                return NULL;
        }
        return argv[++*i];
}

/* Exit statuses of the command line: 2 for a bad one, 0 after --help or --version. */
enum { PARSED = -1 };

static int parse_timeout(const char *value, Args *a) {
        if (safe_atou32(value, &a->timeout_sec) < 0 || a->timeout_sec == 0) {
                log_invalid("Invalid --timeout '%s': seconds, more than 0.", value);
                return 2;
        }
        a->switch_timeout_sec = a->timeout_sec;
        return PARSED;
}

/* The options before the verb; *i ends at the verb. PARSED, or the exit status. */
static int parse_global(int argc, char **argv, int *i, Args *a) {
        const char *value;
        bool bad = false;
        int r;

        for (; *i < argc && argv[*i][0] == '-'; (*i)++) {
                if (streq(argv[*i], "-h") || streq(argv[*i], "--help")) {
                        help();
                        return 0;
                }
                if (streq(argv[*i], "--version")) {
                        printf("nixos-nspawnctl " VERSION "\n");
                        return 0;
                }
                if ((value = option_value(argv, argc, i, "--timeout", &bad))) {
                        r = parse_timeout(value, a);
                        if (r != PARSED)
                                return r;
                        continue;
                }
                if (bad) /* said so */
                        return 2;
                log_invalid("Unknown option '%s'.", argv[*i]);
                return 2;
        }
        if (bad)
                return 2;
        if (*i >= argc) {
                help();
                return 2;
        }
        return PARSED;
}

/* One option of verb v at argv[*i] (advancing past its value). PARSED, or the exit status. */
static int parse_option(int argc, char **argv, int *i, const Verb *v, Args *a, char **launcher, size_t *n_launcher) {
        const char *arg = argv[*i], *value;
        int f = v->flags;
        bool bad = false;

        if (streq(arg, "-h") || streq(arg, "--help")) {
                help();
                return 0;
        }
        if ((f & TAKES_SOURCE) && (value = option_value(argv, argc, i, "--config", &bad)))
                a->config = value;
        else if ((f & TAKES_SOURCE) && (value = option_value(argv, argc, i, "--flake", &bad)))
                a->flake = value;
        else if ((f & TAKES_SOURCE) && (value = option_value(argv, argc, i, "--system", &bad)))
                a->system = value;
        else if (streq(v->name, "update") && (value = option_value(argv, argc, i, "--closure", &bad)))
                a->closure = value;
        else if ((f & TAKES_STRATEGY) && (value = option_value(argv, argc, i, "--strategy", &bad))) {
                if (streq(value, "restart"))
                        a->strategy = STRATEGY_RESTART;
                else if (streq(value, "switch"))
                        a->strategy = STRATEGY_SWITCH;
                else {
                        log_invalid("Invalid --strategy '%s': restart or switch.", value);
                        return 2;
                }
        } else if ((f & TAKES_SOURCE) && (value = option_value(argv, argc, i, "--restart", &bad))) {
                if (restart_policy_parse(value, &a->restart) < 0) {
                        log_invalid("Invalid --restart '%s': no, on-failure or always.", value);
                        return 2;
                }
                a->restart_set = true;
        } else if ((value = option_value(argv, argc, i, "--timeout", &bad)))
                return parse_timeout(value, a);
        else if (streq(v->name, "list") && streq(arg, "--json"))
                a->json = true;
        else if (streq(v->name, "destroy") && streq(arg, "--delete-state"))
                a->delete_state = true;
        else if (streq(v->name, "bind") && streq(arg, "--read-only"))
                a->read_only = true;
        else if (streq(v->name, "create") && streq(arg, "--start"))
                a->start = true;
        else if (!bad && (f & TAKES_LAUNCHER))
                launcher[(*n_launcher)++] = argv[*i];
        else if (!bad) {
                log_invalid("Unknown option '%s' for '%s'.", arg, v->name);
                return 2;
        }
        return bad ? 2 : PARSED;
}

/* What follows the verb: name, options, the rest. PARSED, or the exit status. */
static int parse_verb_args(int argc, char **argv, int i, const Verb *v, Args *a, char **launcher, char **rest) {
        size_t n_launcher = 0, n_rest = 0;
        int r;

        for (; i < argc; i++) {
                char *arg = argv[i];

                if (streq(arg, "--")) {
                        if (!(v->flags & TAKES_COMMAND)) {
                                log_invalid("'%s' takes no command after '--'.", v->name);
                                return 2;
                        }
                        for (i++; i < argc; i++)
                                rest[n_rest++] = argv[i];
                        break;
                }
                if (arg[0] != '-' || streq(arg, "-")) {
                        if ((v->flags & TAKES_NAME) && !a->name)
                                a->name = arg;
                        else if (v->flags & (TAKES_REST | TAKES_COMMAND))
                                rest[n_rest++] = arg;
                        else {
                                log_invalid("Unexpected argument '%s'.", arg);
                                return 2;
                        }
                        continue;
                }
                r = parse_option(argc, argv, &i, v, a, launcher, &n_launcher);
                if (r != PARSED)
                        return r;
        }
        if ((v->flags & TAKES_NAME) && !a->name) {
                log_invalid("'%s' needs a container name.", v->name);
                return 2;
        }
        return PARSED;
}

int main(int argc, char *argv[]) {
        _cleanup_free_ char **launcher = NULL, **rest = NULL;
        /* A live switch gets 5 minutes unless --timeout says otherwise: switch-to-configuration restarts units one
         * after another, each under systemd's own job timeout (90 s by default), so the start's 90 s would cut
         * short switches systemd itself calls healthy; after the deadline the update restarts the container,
         * which is always a correct end. */
        Args a = { .timeout_sec = 90, .switch_timeout_sec = 300 };
        const Verb *v = NULL;
        int i = 1, r, status = EXIT_SUCCESS;

        log_open();
        r = parse_global(argc, argv, &i, &a);
        if (r != PARSED)
                return r;
        for (size_t k = 0; k < ELEMENTSOF(verbs) && !v; k++)
                if (streq(verbs[k].name, argv[i]))
                        v = &verbs[k];
        if (!v) {
                log_invalid("Unknown verb '%s' (see --help).", argv[i]);
                return 2;
        }
        launcher = calloc(argc + 1, sizeof(char *));
        rest = calloc(argc + 1, sizeof(char *));
        if (!launcher || !rest) {
                log_oom();
                return EXIT_FAILURE;
        }
        r = parse_verb_args(argc, argv, i + 1, v, &a, launcher, rest);
        if (r != PARSED)
                return r;
        a.launcher_args = launcher;
        a.rest = rest;
        r = v->run ? v->run(&a) : v->run_status(&a, &status);
        return r < 0 ? EXIT_FAILURE : status;
}
