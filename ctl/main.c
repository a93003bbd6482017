/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nixos-nspawnctl: the command line. The verbs are in verbs.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

static const struct {
        const char *name;
        int (*run)(const Args *a);
        int flags;
} verbs[] = {
        { "create", verb_create, TAKES_NAME | TAKES_SOURCE | TAKES_LAUNCHER },
        { "start", verb_start, TAKES_NAME },
        { "stop", verb_stop, TAKES_NAME },
        { "restart", verb_restart, TAKES_NAME },
        { "terminate", verb_terminate, TAKES_NAME },
        { "status", verb_status, TAKES_NAME },
        { "state", verb_state, TAKES_NAME },
        { "exists", verb_exists, TAKES_NAME },
        { "run", verb_run, TAKES_NAME | TAKES_COMMAND },
        { "login", verb_login, TAKES_NAME },
        { "root-login", verb_root_login, TAKES_NAME },
        { "show-ip", verb_show_ip, TAKES_NAME },
        { "list", verb_list, 0 },
        { "update", verb_update, TAKES_NAME | TAKES_SOURCE | TAKES_LAUNCHER | TAKES_STRATEGY },
        { "list-generations", verb_list_generations, TAKES_NAME },
        { "switch-generation", verb_switch_generation, TAKES_NAME | TAKES_STRATEGY | TAKES_REST },
        { "rollback", verb_rollback, TAKES_NAME | TAKES_STRATEGY },
        { "delete-generations", verb_delete_generations, TAKES_NAME | TAKES_REST },
        { "destroy", verb_destroy, TAKES_NAME },
};

static void help(void) {
        printf("nixos-nspawnctl [--timeout=SEC] VERB …: imperative nixos-nspawn containers\n\n"
               "  create NAME --config FILE.nix | --flake REF#NAME | --system TOPLEVEL [--start] [LAUNCHER-OPTION…]\n"
               "  start|stop|restart|terminate|status|state|exists NAME\n"
               "  run NAME -- COMMAND…          login NAME          root-login NAME          show-ip NAME\n"
               "  list [--json]\n"
               "  update NAME [--config FILE | --flake REF | --system TOPLEVEL] [--closure FILE]\n"
               "              [--strategy restart|switch] [LAUNCHER-OPTION…]\n"
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

int main(int argc, char *argv[]) {
        _cleanup_free_ char **launcher = NULL, **rest = NULL;
        size_t n_launcher = 0, n_rest = 0;
        /* A live switch gets 5 minutes unless --timeout says otherwise: switch-to-configuration restarts units one
         * after another, each under systemd's own job timeout (90 s by default), so the start's 90 s would cut
         * short switches systemd itself calls healthy; after the deadline the update restarts the container,
         * which is always a correct end. */
        Args a = { .timeout_sec = 90, .switch_timeout_sec = 300 };
        int i = 1, v, r;
        const char *value;
        bool bad = false;

        log_open();
        for (; i < argc && argv[i][0] == '-'; i++) {
                if (streq(argv[i], "-h") || streq(argv[i], "--help")) {
                        help();
                        return 0;
                }
                if (streq(argv[i], "--version")) {
                        printf("nixos-nspawnctl " VERSION "\n");
                        return 0;
                }
                if ((value = option_value(argv, argc, &i, "--timeout", &bad))) {
                        if (safe_atou32(value, &a.timeout_sec) < 0 || a.timeout_sec == 0) {
                                log_invalid("Invalid --timeout '%s': seconds, more than 0.", value);
                                return 2;
                        }
                        a.switch_timeout_sec = a.timeout_sec;
                        continue;
                }
                log_invalid("Unknown option '%s'.", argv[i]);
                return 2;
        }
        if (bad)
                return 2;
        if (i >= argc) {
                help();
                return 2;
        }
        for (v = 0; v < (int) ELEMENTSOF(verbs) && !streq(verbs[v].name, argv[i]); v++)
                ;
        if (v == (int) ELEMENTSOF(verbs)) {
                log_invalid("Unknown verb '%s' (see --help).", argv[i]);
                return 2;
        }
        launcher = calloc(argc + 1, sizeof(char *));
        rest = calloc(argc + 1, sizeof(char *));
        if (!launcher || !rest) {
                log_oom();
                return 1;
        }
        for (i++; i < argc && !bad; i++) {
                int f = verbs[v].flags;
                char *arg = argv[i];

                if (streq(arg, "--")) {
                        if (!(f & TAKES_COMMAND)) {
                                log_invalid("'%s' takes no command after '--'.", verbs[v].name);
                                return 2;
                        }
                        for (i++; i < argc; i++)
                                rest[n_rest++] = argv[i];
                        break;
                }
                if (arg[0] != '-' || streq(arg, "-")) {
                        if ((f & TAKES_NAME) && !a.name)
                                a.name = arg;
                        else if (f & (TAKES_REST | TAKES_COMMAND))
                                rest[n_rest++] = arg;
                        else {
                                log_invalid("Unexpected argument '%s'.", arg);
                                return 2;
                        }
                        continue;
                }
                if (streq(arg, "-h") || streq(arg, "--help")) {
                        help();
                        return 0;
                }
                if ((f & TAKES_SOURCE) && (value = option_value(argv, argc, &i, "--config", &bad)))
                        a.config = value;
                else if ((f & TAKES_SOURCE) && (value = option_value(argv, argc, &i, "--flake", &bad)))
                        a.flake = value;
                else if ((f & TAKES_SOURCE) && (value = option_value(argv, argc, &i, "--system", &bad)))
                        a.system = value;
                else if (streq(verbs[v].name, "update") && (value = option_value(argv, argc, &i, "--closure", &bad)))
                        a.closure = value;
                else if ((f & TAKES_STRATEGY) && (value = option_value(argv, argc, &i, "--strategy", &bad))) {
                        if (streq(value, "restart"))
                                a.strategy = STRATEGY_RESTART;
                        else if (streq(value, "switch"))
                                a.strategy = STRATEGY_SWITCH;
                        else {
                                log_invalid("Invalid --strategy '%s': restart or switch.", value);
                                return 2;
                        }
                } else if ((value = option_value(argv, argc, &i, "--timeout", &bad))) {
                        if (safe_atou32(value, &a.timeout_sec) < 0 || a.timeout_sec == 0) {
                                log_invalid("Invalid --timeout '%s': seconds, more than 0.", value);
                                return 2;
                        }
                        a.switch_timeout_sec = a.timeout_sec;
                } else if (streq(verbs[v].name, "list") && streq(arg, "--json"))
                        a.json = true;
                else if (streq(verbs[v].name, "destroy") && streq(arg, "--delete-state"))
                        a.delete_state = true;
                else if (streq(verbs[v].name, "create") && streq(arg, "--start"))
                        a.start = true;
                else if (!bad && (f & TAKES_LAUNCHER))
                        launcher[n_launcher++] = arg;
                else if (!bad) {
                        log_invalid("Unknown option '%s' for '%s'.", arg, verbs[v].name);
                        return 2;
                }
        }
        if (bad)
                return 2;
        if ((verbs[v].flags & TAKES_NAME) && !a.name) {
                log_invalid("'%s' needs a container name.", verbs[v].name);
                return 2;
        }
        a.launcher_args = launcher;
        a.rest = rest;
        r = verbs[v].run(&a);
        if (r < 0)
                return 1;
        return r;
}
