/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The verbs that look at or run a container; change.c has those that change one. */
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
#include "log.h"
#include "nix.h"
#include "runners.h"
#include "settings.h"
#include "status.h"
#include "strutil.h"
#include "change.h"
#include "container.h"
#include "verbs.h"

/* ---- lifecycle ---- */

int verb_start(const Args *a) {
        _cleanup_(conf_done) Conf c = {};
        int r = name_check(a->name) < 0 ? -EINVAL : change_recover(a->name);

        if (r >= 0)
                r = upgrade_credentials(a);

        if (r >= 0)
                r = container_load(a->name, &c);
        if (r >= 0)
                r = runner_start(&c, a->timeout_sec);
        return r;
}

int verb_stop(const Args *a) {
        _cleanup_(conf_done) Conf c = {};
        int r = container_load(a->name, &c);

        if (r >= 0)
                r = runner_stop(a->name, false, a->timeout_sec);
        return r;
}

int verb_terminate(const Args *a) {
        _cleanup_(conf_done) Conf c = {};
        int r = container_load(a->name, &c);

        if (r >= 0)
                r = runner_stop(a->name, true, a->timeout_sec);
        return r;
}

int verb_restart(const Args *a) {
        _cleanup_(conf_done) Conf c = {};
        int r = upgrade_credentials(a);

        if (r >= 0)
                r = container_load(a->name, &c);
        if (r >= 0)
                r = runner_restart(&c, a->timeout_sec);
        return r;
}

int verb_exists(const Args *a, int *ret_status) {
        _cleanup_(conf_done) Conf c = {};
        int r;

        if (!machine_name_is_valid(a->name)) {
                *ret_status = EXIT_FAILURE;
                return 0;
        }
        r = conf_load(a->name, &c);
        *ret_status = r >= 0 ? EXIT_SUCCESS : EXIT_FAILURE;
        return 0;
}

int verb_state(const Args *a) {
        _cleanup_(conf_done) Conf c = {};
        RunState s;
        int r = name_check(a->name) < 0 ? -EINVAL : change_recover(a->name);

        if (r >= 0)
                r = container_load(a->name, &c);
        if (r >= 0)
                r = runner_state(a->name, &s);
        if (r < 0)
                return r;
        printf("%s\n", run_state_name(s));
        return 0;
}

int verb_status(const Args *a) {
        _cleanup_free_ char *describe = NULL, *live_path = NULL, *live = NULL;
        Leader l = LEADER_NULL;
        unsigned gen = 0;
        size_t count = 0, size;
        _cleanup_(conf_done) Conf c = {};
        RunState s;
        int r = name_check(a->name) < 0 ? -EINVAL : change_recover(a->name);

        if (r >= 0)
                r = container_load(a->name, &c);

        if (r >= 0)
                r = runner_state(a->name, &s);
        if (r >= 0)
                r = runner_describe(a->name, &describe);
        if (r < 0)
                return r;
        printf("%s: %s\n", c.name, run_state_name(s));
        if (c.origin == ORIGIN_IMPERATIVE && current_generation(c.name, &gen, &count) >= 0 && gen > 0)
                printf("  origin: imperative, generation %u (of %zu)\n", gen, count);
        else
                printf("  origin: %s\n", c.origin == ORIGIN_IMPERATIVE ? "imperative" : "declarative (NixOS)");
        printf("  system: %s\n", c.system ?: "-");
        if (s == RUN_RUNNING && running_leader(c.name, &l) >= 0) {
                printf("  leader: PID %d\n", (int) l.pid);
                status_show_running(&l);
                live_path = live_file(c.name);
                if (live_path && read_full_file(live_path, &live, &size) >= 0) {
                        unsigned pid = 0;
                        char system[4096];

                        if (sscanf(live, "%u %4095s", &pid, system) == 2 && (pid_t) pid == l.pid)
                                printf("  live:   %s (switched without a restart)\n", system);
                }
                leader_done(&l);
        }
        printf("  %s\n", describe);
        return 0;
}

/* ---- inside ---- */

int verb_run(const Args *a, int *ret_status) {
        Leader l = LEADER_NULL;
        _cleanup_(conf_done) Conf c = {};
        int r;

        r = enter_stdio_check(); /* first: a closed one must not be filled by an fd we open */
        if (r >= 0)
                r = container_load(a->name, &c);
        if (r >= 0 && (!a->rest || !a->rest[0]))
                r = log_invalid("run needs a command: nixos-nspawnctl run NAME -- COMMAND…");
        if (r >= 0)
                r = running_leader(a->name, &l);
        if (r >= 0)
                r = enter_run(&l, c.args, a->rest, &(EnterOptions) { .start_timeout_sec = a->timeout_sec },
                              ret_status);
        leader_done(&l);
        return r;
}

static int login_common(const Args *a, bool root, int *ret_status) {
        Leader l = LEADER_NULL;
        _cleanup_(conf_done) Conf c = {};
        int r;

        r = container_load(a->name, &c);
        if (r < 0)
                return r;
        if (runner_uses_systemd() && access("/run/systemd/machines", F_OK) >= 0) {
                /* machined runs: its login (a getty on a pty of the container) or shell */
                _cleanup_free_ char *who = strprintf("root@%s", a->name);
                char *argv[] = { (char *) "machinectl", (char *) (root ? "shell" : "login"),
                                 root ? who : (char *) a->name, NULL };

                if (!who)
                        return log_oom();
                execvp(argv[0], argv);
                log_warning_errno(negative_errno(), "Failed to execute machinectl, entering directly: %m");
        }
        r = running_leader(a->name, &l);
        if (r >= 0) {
                char *login_argv[] = { (char *) "login", NULL };
                char *root_argv[] = { (char *) "sh", (char *) "-l", NULL };

                r = enter_run(&l, c.args, root ? root_argv : login_argv,
                              &(EnterOptions) { .pty = true, .start_timeout_sec = a->timeout_sec }, ret_status);
        }
        leader_done(&l);
        return r;
}

int verb_login(const Args *a, int *ret_status) {
        return login_common(a, false, ret_status);
}

int verb_root_login(const Args *a, int *ret_status) {
        return login_common(a, true, ret_status);
}

int verb_show_ip(const Args *a) {
        Leader l = LEADER_NULL;
        _cleanup_(conf_done) Conf c = {};
        int r;

        r = container_load(a->name, &c);
        if (r < 0)
                return r;
        r = running_leader(a->name, &l);
        if (r < 0)
                return r;
        r = enter_show_ip(&l);
        leader_done(&l);
        if (r == 0)
                return log_error_errno(-EADDRNOTAVAIL, "Container '%s' has no address (no private network, or not "
                                       "configured yet).", a->name);
        return r < 0 ? r : 0;
}

/* ---- list ---- */

static void json_string(const char *s) {
        putchar('"');
        for (; s && *s; s++) {
                unsigned char ch = (unsigned char) *s;

                if (ch == '"' || ch == '\\')
                        printf("\\%c", ch);
                else if (ch < 0x20)
                        printf("\\u%04x", ch);
                else
                        putchar(ch);
        }
        putchar('"');
}

/* ADDRESS (the first) UPTIME MEMORY TASKS, "-" for each not known (not running, no such controller). */
static void list_text_running(const RunningInfo *i) {
        char u[32] = "-", m[32] = "-", t[32] = "-";
        size_t n = i->addresses ? strcspn(i->addresses, "\n") : 0;

        if (i->has_uptime) {
                format_timespan(u, sizeof u, i->uptime);
                /* one column: "3min 4s" → "3min4s" */
                for (char *sp; (sp = strchr(u, ' '));)
                        memmove(sp, sp + 1, strlen(sp));
        }
        if (i->has_memory)
                format_bytes(m, sizeof m, i->memory);
        if (i->has_tasks)
                snprintf(t, sizeof t, "%llu", i->tasks);
        /* the address is escaped (enter_addresses()) */
        printf("%.*s %s %s %s\n", n ? (int) n : 1, n ? i->addresses : "-", u, m, t);
}

/* ,"addresses":[…],"uptime_sec":N,"memory_bytes":N,"tasks":N (null where not known) */
static void list_json_running(const RunningInfo *i) {
        const char *p = i->addresses;

        printf(",\"addresses\":[");
        for (bool first = true; p && *p; first = false) {
                size_t n = strcspn(p, "\n");
                _cleanup_free_ char *one = strndup(p, n);

                if (!first)
                        putchar(',');
                json_string(one);
                p += n + (p[n] == '\n');
        }
        printf("]");
        if (i->has_uptime)
                printf(",\"uptime_sec\":%llu", i->uptime);
        else
                printf(",\"uptime_sec\":null");
        if (i->has_memory)
                printf(",\"memory_bytes\":%llu", i->memory);
        else
                printf(",\"memory_bytes\":null");
        if (i->has_tasks)
                printf(",\"tasks\":%llu", i->tasks);
        else
                printf(",\"tasks\":null");
}

int verb_list(const Args *a) {
        _cleanup_strv_free_ char **names = NULL;
        int r = conf_list(&names);

        if (r < 0)
                return r;
        if (a->json)
                printf("[");
        else if (names[0])
                printf("%-24s %-9s %-12s %-4s %s  %s\n", "NAME", "STATE", "ORIGIN", "GEN", "SYSTEM",
                       "ADDRESS UPTIME MEMORY TASKS");
        for (size_t i = 0, shown = 0; names[i]; i++) {
                RunState s = RUN_STOPPED;
                unsigned gen = 0;
                size_t count = 0;
                _cleanup_(conf_done) Conf c = {};

                if (!machine_name_is_valid(names[i]) || conf_load(names[i], &c) < 0)
                        continue;
                (void) runner_state(c.name, &s);
                RunningInfo info = {};
                Leader l = LEADER_NULL;

                if (c.origin == ORIGIN_IMPERATIVE)
                        (void) current_generation(c.name, &gen, &count);
                if (s == RUN_RUNNING && running_leader(c.name, &l) >= 0) {
                        (void) running_info(&l, &info);
                        leader_done(&l);
                }
                if (a->json) {
                        /* a comma before every entry shown but the first: names[i] that cannot be read are
                         * skipped, so i says nothing */
                        printf("%s{\"name\":", shown++ ? "," : "");
                        json_string(c.name);
                        printf(",\"state\":\"%s\",\"origin\":\"%s\",\"generation\":", run_state_name(s),
                               c.origin == ORIGIN_IMPERATIVE ? "imperative" : "declarative");
                        if (gen)
                                printf("%u", gen);
                        else
                                printf("null");
                        printf(",\"system\":");
                        json_string(c.system);
                        list_json_running(&info);
                        printf("}");
                } else {
                        char g[16] = "-";

                        if (gen)
                                snprintf(g, sizeof g, "%u", gen);
                        printf("%-24s %-9s %-12s %-4s %s  ", c.name, run_state_name(s),
                               c.origin == ORIGIN_IMPERATIVE ? "imperative" : "declarative", g, c.system ?: "-");
                        list_text_running(&info);
                }
                running_info_done(&info);
        }
        if (a->json)
                printf("]\n");
        return 0;
}

/* ---- generations ---- */

int verb_list_generations(const Args *a) {
        Generation *g = NULL;
        size_t n = 0;
        _cleanup_(conf_done) Conf c = {};
        int r = container_load(a->name, &c);

        if (r >= 0)
                r = conf_refuse_declarative(&c, "generations are NixOS's: list them");
        if (r >= 0)
                r = profile_generations(a->name, &g, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++)
                printf("%4u   %s%s\n", g[i].number, g[i].system, g[i].current ? "   (current)" : "");
        generations_free(g, n);
        return 0;
}

