/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Everything we ask Nix. Builds and profile changes go through Nix's own commands (nix-build, nix build,
 * nix-env), so they honour the host's nix.conf, daemon and GC roots; only reading a profile's links is ours. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "fileio.h"
#include "log.h"
#include "nix.h"
#include "profile.h"
#include "process.h"
#include "store.h"
#include "strutil.h"

int run_command(char *const argv[], char **ret_stdout) {
        _cleanup_free_ char *out = NULL;
        size_t size;
        int r;

        /* stdout to us when we want it; otherwise the command's progress goes where our stderr goes */
        r = process_run(argv, ret_stdout ? -EBADF : STDERR_FILENO, -EBADF, ret_stdout ? &out : NULL);
        if (r == -ENOENT)
                return log_error_errno(r, "'%s' is not installed (or not in PATH).", argv[0]);
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0)
                return log_error_errno(r, "Failed to run %s: %m", argv[0]);
        if (r != 0)
                return -EIO;
        if (ret_stdout) {
                size = strlen(out);
                while (size > 0 && out[size - 1] == '\n')
                        out[--size] = 0;
                *ret_stdout = TAKE_PTR(out);
        }
        return 0;
}

int toplevel_check(const char *path) {
        _cleanup_free_ char *init = NULL;
        const char *name, *reason;

        if (store_path_check("/nix/store", path, &name, &reason) < 0)
                return log_invalid("'%s' is not a NixOS system: %s.", path, reason);
        init = strprintf("%s/init", path);
        if (!init)
                return log_oom();
        if (access(init, X_OK) < 0)
                return log_invalid("'%s' is not a NixOS system: it has no executable 'init'.", path);
        return 0;
}

/* The single line a build printed: the toplevel. */
static int take_toplevel(char *out, const char *what, char **ret) {
        if (!out || strchr(out, '\n') || toplevel_check(out) < 0) {
                free(out);
                return log_error_errno(-EIO, "Building %s gave no single NixOS system.", what);
        }
        *ret = out;
        return 0;
}

int nix_build_config(const char *file, const char *guest_module, char **ret_toplevel) {
        /* Paths go in as strings (--argstr), never spliced into the expression. */
        char *argv[] = {
                (char *) "nix-build", (char *) "--no-out-link", (char *) "--expr",
                (char *) "{ cfg, guest }: (import <nixpkgs/nixos> { configuration = { imports = [ (/. + cfg) ] ++ "
                         "(if guest == \"\" then [ ] else [ (/. + guest) ]); }; }).config.system.build.toplevel",
                (char *) "--argstr", (char *) "cfg", (char *) file,
                (char *) "--argstr", (char *) "guest", (char *) (guest_module ?: ""),
                NULL,
        };
        char *out = NULL;
        int r;

        r = run_command(argv, &out);
        if (r == -EIO)
                return log_error_errno(r, "Failed to build the configuration '%s'.", file);
        if (r < 0)
                return r;
        return take_toplevel(out, file, ret_toplevel);
}

int nix_build_flake(const char *ref, char **ret_toplevel) {
        _cleanup_free_ char *installable = NULL, *json = NULL;
        const char *hash = strrchr(ref, '#');
        char *out = NULL;
        int r;

        if (!hash || hash == ref || isempty(hash + 1) || strchr(hash + 1, '"'))
                return log_invalid("Invalid flake reference '%s': expected REF#NAME.", ref);
        installable = strprintf("%.*s#nixosConfigurations.\"%s\".config.system.build.toplevel", (int) (hash - ref),
                                ref, hash + 1);
        if (!installable)
                return log_oom();
        {
                /* --json, not --print-out-paths: Debian 12's Nix (2.8) does not know that */
                char *argv[] = { (char *) "nix", (char *) "--extra-experimental-features", (char *) "nix-command flakes",
                                 (char *) "build", (char *) "--no-link", (char *) "--json", installable, NULL };

                r = run_command(argv, &json);
        }
        if (r >= 0) {
                /* [{"drvPath":"…","outputs":{"out":"/nix/store/…"}}]: the one output path */
                const char *p = json ? strstr(json, "\"out\":\"") : NULL;

                out = p ? strndup(p + 7, strcspn(p + 7, "\"")) : NULL;
                if (p && !out)
                        return log_oom();
        }
        if (r == -EIO)
                return log_error_errno(r, "Failed to build the flake's configuration '%s'.", ref);
        if (r < 0)
                return r;
        return take_toplevel(out, ref, ret_toplevel);
}

int nix_closure(const char *toplevel, char **ret_text) {
        char *argv[] = { (char *) "nix-store", (char *) "--query", (char *) "--requisites", (char *) toplevel, NULL };
        _cleanup_free_ char *out = NULL;
        int r;

        r = run_command(argv, &out);
        if (r == -EIO)
                return log_error_errno(r, "nix-store could not compute the closure of '%s'.", toplevel);
        if (r < 0)
                return r;
        *ret_text = strprintf("%s\n", out);
        return *ret_text ? 0 : log_oom();
}

void generations_free(Generation *g, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(g[i].system);
        free(g);
}

static int cmp_generation(const void *a, const void *b) {
        const Generation *x = a, *y = b;
        return x->number < y->number ? -1 : x->number > y->number;
}

int profile_generations(const char *name, Generation **ret, size_t *ret_n) {
        _cleanup_free_ char *current = NULL, *profile = profile_path(name), *dir = profile_dir(name);
        Generation *g = NULL;
        size_t n = 0;
        DIR *d;
        int r;

        if (!profile || !dir)
                return log_oom();
        r = profile_migrate(name);
        if (r < 0)
                return r;
        {
                char buf[4096];
                ssize_t k = readlink(profile, buf, sizeof buf - 1);

                if (k > 0) {
                        buf[k] = 0;
                        current = strdup(buf);
                        if (!current)
                                return log_oom();
                }
        }
        d = opendir(dir);
        if (!d) {
                *ret = NULL;
                *ret_n = 0;
                return errno == ENOENT ? 0 : log_error_errno(negative_errno(), "Failed to open '%s': %m", dir);
        }
        for (struct dirent *de; (de = readdir(d));) {
                unsigned number;
                char target[4096];
                ssize_t k;
                Generation *m;

                if (generation_link_number(de->d_name, PROFILE_NAME, &number) < 0)
                        continue;
                k = readlinkat(dirfd(d), de->d_name, target, sizeof target - 1);
                if (k <= 0)
                        continue;
                target[k] = 0;
                m = reallocarray(g, n + 1, sizeof *g);
                if (!m)
                        goto oom;
                g = m;
                g[n] = (Generation) { .number = number, .current = current && streq(current, de->d_name) };
                g[n].system = strdup(target);
                if (!g[n++].system)
                        goto oom;
        }
        closedir(d);
        qsort(g, n, sizeof *g, cmp_generation);
        *ret = g;
        *ret_n = n;
        return 0;
oom:
        closedir(d);
        generations_free(g, n);
        return log_oom();
}

static int nix_env(const char *name, char *const args[]) {
        _cleanup_free_ char *profile = profile_path(name), *dir = profile_dir(name);
        char *argv[16] = { (char *) "nix-env", (char *) "--quiet", (char *) "--profile", profile };
        size_t n = 4;
        int r;

        if (!profile || !dir)
                return log_oom();
        for (; *args && n < ELEMENTSOF(argv) - 1; args++)
                argv[n++] = *args;
        argv[n] = NULL;
        r = profile_migrate(name);
        if (r < 0)
                return r;
        r = mkdir_p(dir, 0755);
        if (r < 0)
                return log_error_errno(r, "Failed to create '%s': %m", dir);
        r = run_command(argv, NULL);
        if (r == -EIO)
                return log_error_errno(r, "nix-env failed on the profile '%s'.", profile);
        return r;
}

int profile_set(const char *name, const char *toplevel) {
        char *args[] = { (char *) "--set", (char *) toplevel, NULL };
        return nix_env(name, args);
}

int profile_switch(const char *name, unsigned number) {
        Generation *g = NULL;
        size_t n = 0;
        bool found = false;
        char num[16];
        int r;

        r = profile_generations(name, &g, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++)
                found = found || g[i].number == number;
        generations_free(g, n);
        if (!found)
                return log_invalid("Container '%s' has no generation %u.", name, number);
        snprintf(num, sizeof num, "%u", number);
        {
                char *args[] = { (char *) "--switch-generation", num, NULL };
                return nix_env(name, args);
        }
}

int profile_rollback(const char *name) {
        Generation *g = NULL;
        size_t n = 0;
        unsigned prev = 0;
        int r;

        r = profile_generations(name, &g, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n && !g[i].current; i++)
                prev = g[i].number;
        generations_free(g, n);
        if (prev == 0)
                return log_invalid("Container '%s' has no generation before the current one.", name);
        return profile_switch(name, prev);
}

int profile_delete(const char *name, char *const spec[]) {
        char *args[12] = { (char *) "--delete-generations" };
        size_t n = 1;

        for (; *spec; spec++) {
                if (n >= ELEMENTSOF(args) - 1)
                        return log_invalid("Too many generation arguments.");
                if (string_has_cc(*spec) || (*spec)[0] == '-' || isempty(*spec))
                        return log_invalid("Invalid generation '%s'.", *spec);
                args[n++] = *spec;
        }
        if (n == 1)
                return log_invalid("delete-generations needs what to delete: old, +N, Nd or generation numbers.");
        args[n] = NULL;
        return nix_env(name, args);
}

int profile_remove(const char *name) {
        Generation *g = NULL;
        size_t n = 0;
        _cleanup_free_ char *profile = profile_path(name), *dir = profile_dir(name);
        int r;

        if (!profile || !dir)
                return log_oom();
        r = profile_generations(name, &g, &n); /* after profile_migrate(): only NAME's own directory is left */
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *link = strprintf("%s/" PROFILE_NAME "-%u-link", dir, g[i].number);

                if (!link || (unlink(link) < 0 && errno != ENOENT))
                        r = link ? log_error_errno(negative_errno(), "Failed to remove '%s': %m", link) : log_oom();
        }
        generations_free(g, n);
        if (unlink(profile) < 0 && errno != ENOENT)
                r = log_error_errno(negative_errno(), "Failed to remove '%s': %m", profile);
        if (r >= 0 && rmdir(dir) < 0 && errno != ENOENT)
                r = log_error_errno(negative_errno(), "Failed to remove '%s': %m", dir);
        return r;
}

int profile_current(const char *name, char **ret) {
        _cleanup_free_ char *profile = profile_path(name);
        char *p;
        int r;

        if (!profile)
                return log_oom();
        r = profile_migrate(name);
        if (r < 0)
                return r;
        p = realpath(profile, NULL);
        if (!p)
                return errno == ENOENT ? -ENOENT : log_error_errno(negative_errno(), "Failed to resolve '%s': %m",
                                                                     profile);
        *ret = p;
        return 0;
}
