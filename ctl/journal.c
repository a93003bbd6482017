/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "fileio.h"
#include "journal.h"
#include "log.h"
#include "nix.h"
#include "strutil.h"

static char *journal_file(const char *name, const char *suffix) {
        return strprintf(JOURNAL_DIR "/%s.journal%s", name, suffix);
}

/* The current and the highest generation of NAME's profile (0, 0: none). */
static int generations_now(const char *name, unsigned *ret_current, unsigned *ret_max) {
        Generation *g = NULL;
        size_t n = 0;
        int r;

        r = profile_generations(name, &g, &n);
        if (r < 0)
                return r;
        *ret_current = *ret_max = 0;
        for (size_t i = 0; i < n; i++) {
                if (g[i].current)
                        *ret_current = g[i].number;
                if (g[i].number > *ret_max)
                        *ret_max = g[i].number;
        }
        generations_free(g, n);
        return 0;
}

/* A copy of from at to (mode), or no file at to when there is none at from. */
static int copy_or_remove(const char *from, const char *to, mode_t mode) {
        _cleanup_free_ char *text = NULL;
        int r;

        r = read_full_file(from, &text, NULL);
        if (r == -ENOENT)
                return unlink(to) < 0 && errno != ENOENT ? -errno : 0;
        if (r < 0)
                return r;
        return write_file_atomic(to, text, mode);
}

int journal_begin(const char *name, const char *op, bool live) {
        _cleanup_free_ char *path = journal_file(name, ""), *conf_backup = journal_file(name, ".conf"),
                            *closure_backup = journal_file(name, ".closure"), *conf = conf_path(name),
                            *closure = closure_path(name), *text = NULL;
        unsigned current, max;
        int r;

        if (!path || !conf_backup || !closure_backup || !conf || !closure)
                return log_oom();
        r = generations_now(name, &current, &max);
        if (r < 0)
                return r;
        r = mkdir_p(JOURNAL_DIR, 0700);
        if (r < 0)
                return log_error_errno(r, "Failed to create '%s': %m", JOURNAL_DIR);
        /* the backups first: the journal names them only once they are whole */
        r = copy_or_remove(conf, conf_backup, 0600);
        if (r >= 0)
                r = copy_or_remove(closure, closure_backup, 0600);
        if (r < 0)
                return log_error_errno(r, "Failed to back up the settings of '%s': %m", name);
        text = strprintf("OP=%s\nLIVE=%d\nGENERATION=%u\nMAX_GENERATION=%u\nSTEP=begun\n", op, live, current, max);
        if (!text)
                return log_oom();
        r = write_file_atomic(path, text, 0600);
        if (r < 0)
                return log_error_errno(r, "Failed to write '%s': %m", path);
        return 0;
}

int journal_step(const char *name, const char *step) {
        _cleanup_free_ char *path = journal_file(name, ""), *text = NULL, *updated = NULL;
        char *p;
        int r;

        if (!path)
                return log_oom();
        r = read_full_file(path, &text, NULL);
        if (r == -ENOENT)
                return 0; /* a change without one: a declarative container's reload (NixOS wrote its settings) */
        if (r < 0)
                return log_error_errno(r, "Failed to read '%s': %m", path);
        p = strstr(text, "STEP=");
        if (!p)
                return log_error_errno(-EBADMSG, "'%s' has no STEP=.", path);
        *p = 0;
        updated = strprintf("%sSTEP=%s\n", text, step);
        if (!updated)
                return log_oom();
        r = write_file_atomic(path, updated, 0600);
        return r < 0 ? log_error_errno(r, "Failed to write '%s': %m", path) : 0;
}

void journal_end(const char *name) {
        static const char *const suffixes[] = { "", ".conf", ".closure" };

        /* the journal first: without it the backups mean nothing */
        for (size_t i = 0; i < ELEMENTSOF(suffixes); i++) {
                _cleanup_free_ char *path = journal_file(name, suffixes[i]);

                if (path)
                        (void) unlink(path);
        }
}

static const char *value_of(const char *text, const char *key) {
        for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
                const char *v = startswith(p, key);

                if (v && *v == '=')
                        return v + 1;
        }
        return NULL;
}

static unsigned number_of(const char *text, const char *key) {
        const char *v = value_of(text, key);
        return v ? (unsigned) strtoul(v, NULL, 10) : 0;
}

/* Settings, closure and profile as before the change. Each part can be done again. */
static int undo(const char *name, const char *text) {
        _cleanup_free_ char *conf_backup = journal_file(name, ".conf"), *closure_backup = journal_file(name, ".closure"),
                            *conf = conf_path(name), *closure = closure_path(name);
        unsigned before = number_of(text, "GENERATION"), max = number_of(text, "MAX_GENERATION"), current, now_max;
        int r;

        if (!conf_backup || !closure_backup || !conf || !closure)
                return log_oom();
        if (before == 0) { /* a create: nothing of the container was there before */
                r = conf_remove(name);
                return r < 0 ? r : profile_remove(name);
        }
        r = copy_or_remove(conf_backup, conf, 0644);
        if (r >= 0)
                r = copy_or_remove(closure_backup, closure, 0644);
        if (r < 0)
                return log_error_errno(r, "Failed to restore the settings of '%s': %m", name);
        r = generations_now(name, &current, &now_max);
        if (r >= 0 && current != before)
                r = profile_switch(name, before);
        for (unsigned g = max + 1; r >= 0 && g <= now_max; g++) {
                char num[16];
                char *spec[] = { num, NULL };

                snprintf(num, sizeof num, "%u", g);
                r = profile_delete(name, spec);
        }
        return r;
}

int journal_recover(const char *name, bool interrupted) {
        _cleanup_free_ char *path = journal_file(name, ""), *text = NULL;
        const char *op, *step;
        bool finish;
        int r;

        if (!path)
                return log_oom();
        r = read_full_file(path, &text, NULL);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return log_error_errno(r, "Failed to read '%s': %m", path);
        op = value_of(text, "OP") ?: "change";
        step = value_of(text, "STEP") ?: "begun";
        finish = startswith(step, "applied") || (startswith(step, "saved") && number_of(text, "LIVE") == 0);
        if (!finish) {
                r = undo(name, text);
                if (r < 0)
                        return r;
        }
        journal_end(name);
        if (interrupted)
                log_info("An interrupted %.*s of container '%s' was %s.", (int) strcspn(op, "\n"), op, name,
                         finish ? "finished" : "undone");
        else if (!finish) /* the failure was said where it happened; what it changed is quietly put back */
                log_debug("The failed %.*s of container '%s' was undone.", (int) strcspn(op, "\n"), op, name);
        return 1;
}
