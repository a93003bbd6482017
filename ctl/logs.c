/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nixos-nspawnctl logs NAME: the container's journal, read from the host. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container.h"
#include "id128.h"
#include "link-journal.h"
#include "log.h"
#include "options.h"
#include "settings.h"
#include "strutil.h"
#include "verbs.h"

/* The machine ID its launcher gives it: its settings' --uuid, else the one derived from its name, by the launcher's
 * own option table and spawn/journal.c (one rule, never a copy of it). */
static int container_machine_id(const Conf *c, sd_id128_t *ret) {
        _cleanup_free_ char *machine = strprintf("--machine=%s", c->name), *error = NULL;
        _cleanup_free_ char **argv = NULL;
        size_t n = strv_length(c->args), argc = 0;
        OptionsAction action;
        Settings s;
        int r;

        argv = calloc(n + 2, sizeof(char *));
        if (!machine || !argv)
                return log_oom();
        argv[argc++] = (char *) "nixos-nspawn";
        argv[argc++] = machine;
        for (size_t i = 0; i < n; i++)
                argv[argc++] = c->args[i];
        settings_init(&s);
        r = options_parse(&s, (int) argc, argv, &action, &error);
        if (r >= 0)
                r = machine_id_pick(&s);
        if (r >= 0)
                *ret = s.uuid;
        settings_done(&s);
        if (r < 0)
                return log_error_errno(r, "Cannot read the settings of '%s': %s", c->name, error ?: "out of memory");
        return 0;
}

int verb_logs(const Args *a, int *ret_status) {
        _cleanup_(conf_done) Conf c = {};
        char id[SD_ID128_STRING_MAX], dir[64];
        sd_id128_t uuid;
        struct stat st;
        int r = name_check(a->name);

        *ret_status = EXIT_FAILURE;
        if (r >= 0)
                r = container_load(a->name, &c);
        if (r >= 0)
                r = container_machine_id(&c, &uuid);
        if (r < 0)
                return r;
        (void) fflush(stdout);
        /* Kept on the host (--link-journal=host, try-host, the module's default): all of it, running or not. Never
         * through a symlink: the launcher binds none either. */
        snprintf(dir, sizeof dir, "/var/log/journal/%s", id128_to_string(uuid, id));
        if (lstat(dir, &st) >= 0 && S_ISDIR(st.st_mode)) {
                execlp("journalctl", "journalctl", "-D", dir, (char *) NULL);
                return log_error_errno(-errno, "Failed to run journalctl: %m");
        }
        /* Otherwise it lives in the container: through machined while it runs. */
        if (container_is_running(c.name)) {
                execlp("journalctl", "journalctl", "-M", c.name, (char *) NULL);
                return log_error_errno(-errno, "Failed to run journalctl: %m");
        }
        return log_error_errno(-ENOENT, "No journal of '%s' is kept on the host (no '%s': --link-journal=no or guest, "
                               "or the host keeps no persistent journal), and it does not run.", c.name, dir);
}
