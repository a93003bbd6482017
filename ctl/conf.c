/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* NAME.conf is read by systemd (EnvironmentFile=) and by us, written by us or by the NixOS module. We write only
 * what both read the same way: KEY="VALUE" with no quote, backslash, dollar or control character inside. */
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
#include "options.h"
#include "secrets.h"
#include "strutil.h"

void conf_done(Conf *c) {
        free(c->name);
        free(c->system);
        free(c->config);
        free(c->flake);
        strv_freep(&c->args);
        strv_freep(&c->extra_args);
        *c = (Conf) {};
}

char *conf_path(const char *name) {
        return strprintf(CONF_DIR "/%s.conf", name);
}

char *closure_path(const char *name) {
        return strprintf(CONF_DIR "/%s.closure", name);
}

/* A value as systemd's EnvironmentFile= reads it, for the subset of the syntax a module or we write: unquoted,
 * or in double or single quotes (backslash escapes in double quotes). */
static int unquote(const char *v, char **ret) {
        size_t n = strlen(v);
        char *out = malloc(n + 1), *o = out;

        if (!out)
                return -ENOMEM;
        if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
                for (size_t i = 1; i < n - 1; i++) {
                        if (v[0] == '"' && v[i] == '\\' && i + 1 < n - 1)
                                i++;
                        *o++ = v[i];
                }
        } else {
                while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
                        n--;
                memcpy(out, v, n);
                o = out + n;
        }
        *o = 0;
        *ret = out;
        return 0;
}

/* Splits at whitespace, as systemd does for an unquoted $VAR in ExecStart=. */
static int split_args(const char *s, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        size_t n = 0;

        l = calloc(1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        while (*s) {
                size_t k;
                char **m;

                s += strspn(s, " \t\n");
                k = strcspn(s, " \t\n");
                if (k == 0)
                        break;
                m = reallocarray(l, n + 2, sizeof(char *));
                if (!m)
                        return -ENOMEM;
                l = m;
                l[n] = strndup(s, k);
                if (!l[n])
                        return -ENOMEM;
                l[++n] = NULL;
                s += k;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

/* The user's options among the settings' (args without the system's --closure, --store-path, --init), told apart
 * by the launcher's option table, so "--closure FILE" in two arguments is the system's too. Settings the table
 * cannot parse (edited by hand) are split by spelling instead: a start refuses them anyway (conf_verify_args()),
 * and `list` or `status` still show them. -ENOMEM only. */
static int user_args(char **all, char ***ret) {
        size_t n = strv_length(all), j = 0;
        _cleanup_free_ char **argv = calloc(n + 2, sizeof(char *));
        _cleanup_free_ bool *system = calloc(n + 1, sizeof(bool));
        _cleanup_strv_free_ char **l = calloc(n + 1, sizeof(char *));
        _cleanup_free_ char *error = NULL;
        OptionCursor cur;
        const Option *o;
        const char *value;
        int r;

        if (!argv || !system || !l)
                return -ENOMEM;
        argv[0] = (char *) "nixos-nspawn";
        memcpy(argv + 1, all, n * sizeof(char *));
        cur = OPTION_CURSOR_INIT((int) n + 1, argv);
        for (int before = cur.index; (r = option_next(&cur, &o, &value, &error)) > 0; before = cur.index)
                /* (no system option has a short name: each starts an argument of its own) */
                for (int i = before; (o->flags & OPTION_SYSTEM) && i < cur.index; i++)
                        system[i - 1] = true;
        for (size_t i = 0; i < n; i++) {
                bool ours = r < 0 ? startswith(all[i], "--closure=") || startswith(all[i], "--init=") : system[i];

                if (!ours && !(l[j++] = strdup(all[i])))
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

static const char *const restart_policy_names[_RESTART_POLICY_MAX] = {
        [RESTART_ON_FAILURE] = "on-failure",
        [RESTART_NO] = "no",
        [RESTART_ALWAYS] = "always",
};

const char *restart_policy_name(RestartPolicy p) {
        return restart_policy_names[p];
}

int restart_policy_parse(const char *s, RestartPolicy *ret) {
        for (RestartPolicy p = 0; p < _RESTART_POLICY_MAX; p++)
                if (streq(s, restart_policy_names[p])) {
                        *ret = p;
                        return 0;
                }
        return -EINVAL;
}

int conf_load(const char *name, Conf *ret) {
        _cleanup_free_ char *path = conf_path(name), *text = NULL, *args = NULL, *origin = NULL, *restart = NULL;
        _cleanup_strv_free_ char **all = NULL;
        Conf c = {};
        struct stat st;
        size_t size;
        int r;

        if (!path)
                return log_oom();
        if (lstat(path, &st) < 0)
                return errno == ENOENT ? -ENOENT : log_error_errno(negative_errno(), "Failed to open '%s': %m", path);
        if (S_ISLNK(st.st_mode)) {
                char target[4096];
                ssize_t n = readlink(path, target, sizeof target - 1);

                if (n > 0) {
                        target[n] = 0;
                        c.in_store = startswith(target, "/nix/store/") != NULL;
                }
        }
        r = read_full_file(path, &text, &size);
        if (r < 0)
                return log_error_errno(r, "Failed to read '%s': %m", path);
        c.name = strdup(name);
        if (!c.name)
                goto oom;
        for (char *line = text, *next; line && *line; line = next) {
                char *eq, **slot = NULL;

                next = strchr(line, '\n');
                if (next)
                        *next++ = 0;
                line += strspn(line, " \t");
                if (*line == '#' || *line == ';' || !(eq = strchr(line, '=')))
                        continue;
                *eq = 0;
                if (streq(line, "NIXOS_NSPAWN_ARGS"))
                        slot = &args;
                else if (streq(line, "NIXOS_NSPAWN_SYSTEM"))
                        slot = &c.system;
                else if (streq(line, "NIXOS_NSPAWN_ORIGIN"))
                        slot = &origin;
                else if (streq(line, "NIXOS_NSPAWN_CONFIG"))
                        slot = &c.config;
                else if (streq(line, "NIXOS_NSPAWN_FLAKE"))
                        slot = &c.flake;
                else if (streq(line, "NIXOS_NSPAWN_RESTART"))
                        slot = &restart;
                if (!slot)
                        continue;
                free(*slot);
                if (unquote(eq + 1, slot) < 0)
                        goto oom;
        }
        /* A file NixOS links into place is the module's, whatever it says. */
        c.origin = c.in_store || (origin && streq(origin, "declarative")) ? ORIGIN_DECLARATIVE : ORIGIN_IMPERATIVE;
        if (restart && restart_policy_parse(restart, &c.restart) < 0) {
                conf_done(&c); /* (the log escapes what it prints) */
                return log_error_errno(-EINVAL, "Invalid NIXOS_NSPAWN_RESTART='%s' in '%s': no, on-failure or always.",
                                       restart, path);
        }
        if (split_args(args ?: "", &all) < 0)
                goto oom;
        if (user_args(all, &c.extra_args) < 0)
                goto oom;
        c.args = TAKE_PTR(all);
        *ret = c;
        return 0;
oom:
        conf_done(&c);
        return log_oom();
}

/* An option of the settings, taken apart by the launcher's own parser: by option, never by spelling, so "--mach=Y",
 * "-nMY" or "--ini=" cannot pass for something allowed. */
static int option_allowed(const Option *o, bool stored, char **ret_error) {
        /* the system image is written by us or by the NixOS module; a user's option may only change how it runs */
        unsigned allowed = OPTION_STORABLE | (stored ? OPTION_SYSTEM : 0);

        if (o->flags & allowed)
                return 0;
        if (o->flags & OPTION_SYSTEM || o->id == OPT_MACHINE || o->id == OPT_QUIET)
                return error_printf(ret_error, -EINVAL, "Launcher option '%s' is nixos-nspawnctl's to set.",
                                    option_display_name(o));
        /* -D would run another image; --chown-foreign chowns a host directory instead of starting; --store-dir is
         * for tests; --help, --version, --check do not start anything */
        return error_printf(ret_error, -EINVAL, "Launcher option '%s' cannot be stored with a container.",
                            option_display_name(o));
}

/* Each option allowed where it is, and nothing but options. */
static int args_allowed(char *const *args, size_t n, bool stored, char **ret_error) {
        _cleanup_free_ char **argv = calloc(n + 2, sizeof(char *));
        OptionCursor cur = OPTION_CURSOR_INIT((int) n + 1, argv);
        const Option *o;
        const char *value;
        int r;

        if (!argv)
                return -ENOMEM;
        argv[0] = (char *) "nixos-nspawn";
        memcpy(argv + 1, args, n * sizeof(char *));
        while ((r = option_next(&cur, &o, &value, ret_error)) > 0) {
                r = option_allowed(o, stored, ret_error);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        /* "--" or an operand: a command would replace the system's init */
        if (cur.dashdash)
                return error_printf(ret_error, -EINVAL, "Unexpected argument '--': only launcher options may "
                                    "follow the name.");
        if (cur.index < cur.argc)
                return error_printf(ret_error, -EINVAL, "Unexpected argument '%s': only launcher options may "
                                    "follow the name.", argv[cur.index]);
        return 0;
}

int launcher_args_verify(const char *name, char *const *args, bool stored, char **ret_error) {
        _cleanup_free_ char *machine = strprintf("--machine=%s", name), *closure = closure_path(name),
                            *closure_arg = NULL;
        _cleanup_free_ char **argv = NULL;
        size_t n = strv_length((char **) args), argc = 0;
        OptionsAction action;
        Settings s;
        int r;

        for (size_t i = 0; !stored && i < n; i++)
                /* a credential's value goes to a file of its own (secrets.h), never into NIXOS_NSPAWN_ARGS: any
                 * bytes (the exact spelling is the option: nothing is abbreviated) */
                if (!startswith(args[i], SET_CREDENTIAL) && (string_has_cc(args[i]) || strpbrk(args[i], " \"'\\$`")))
                        /* the characters plan.nix's unsafeArg refuses for the module's settings too ('%' is
                         * none: systemd resolves no specifiers in an environment file's values, and
                         * --tmpfs=PATH:size=10% needs it) */
                        return error_printf(ret_error, -EINVAL, "Launcher option '%s' cannot be stored: no "
                                            "whitespace, quotes, backslashes, '$' or '`'.", args[i]);
        r = args_allowed(args, n, stored, ret_error);
        if (r < 0)
                return r;

        /* the whole, as the launcher will see it: what a start would refuse is refused now */
        closure_arg = closure ? strprintf("--closure=%s", closure) : NULL;
        argv = calloc(n + 5, sizeof(char *));
        if (!machine || !closure_arg || !argv)
                return -ENOMEM;
        argv[argc++] = (char *) "nixos-nspawn";
        argv[argc++] = machine;
        if (!stored) {
                /* what conf_save() adds; the toplevel is not built yet, and only --init's form is checked */
                argv[argc++] = closure_arg;
                argv[argc++] = (char *) "--init=/nix/store/nixos-nspawnctl-check/init";
        }
        memcpy(argv + argc, args, n * sizeof(char *));
        argc += n;
        settings_init(&s);
        r = options_parse(&s, (int) argc, argv, &action, ret_error);
        if (r >= 0)
                r = options_check(&s, ret_error);
        settings_done(&s);
        return r;
}

int conf_verify_args(const Conf *c) {
        _cleanup_free_ char *error = NULL;
        int r = launcher_args_verify(c->name, c->args, true, &error);

        if (r == -ENOMEM || (r < 0 && !error))
                return log_oom();
        if (r < 0)
                return log_error_errno(r, "Container '%s' cannot start with the settings in %s/%s.conf: %s",
                                       c->name, CONF_DIR, c->name, error);
        return 0;
}

static int conf_write(const Conf *c, const char *path, const char *closure, char **args, const char *closure_text) {
        _cleanup_free_ char *text = NULL, *extra = strdup("");
        int r;

        if (!extra)
                return log_oom();
        for (char **a = args; a && *a; a++) {
                char *e = strprintf("%s %s", extra, *a);

                if (!e)
                        return log_oom();
                free(extra);
                extra = e;
        }
        text = strprintf("# Container %s, written by nixos-nspawnctl: change it with nixos-nspawnctl update.\n"
                         "NIXOS_NSPAWN_ORIGIN=imperative\n"
                         "NIXOS_NSPAWN_SYSTEM=\"%s\"\n"
                         "NIXOS_NSPAWN_ARGS=\"--closure=%s --init=%s/init%s\"\n"
                         "NIXOS_NSPAWN_RESTART=%s\n"
                         "%s%s%s%s%s%s",
                         c->name, c->system, closure, c->system, extra, restart_policy_name(c->restart),
                         c->config ? "NIXOS_NSPAWN_CONFIG=\"" : "", c->config ?: "", c->config ? "\"\n" : "",
                         c->flake ? "NIXOS_NSPAWN_FLAKE=\"" : "", c->flake ?: "", c->flake ? "\"\n" : "");
        if (!text)
                return log_oom();
        r = mkdir_p(CONF_DIR, 0755);
        if (r < 0)
                return log_error_errno(r, "Failed to create '%s': %m", CONF_DIR);
        /* the closure first: the settings that name it are then never ahead of it */
        r = write_file_atomic(closure, closure_text, 0644);
        if (r < 0)
                return log_error_errno(r, "Failed to write '%s': %m", closure);
        r = write_file_atomic(path, text, 0644);
        if (r < 0)
                return log_error_errno(r, "Failed to write '%s': %m", path);
        return 0;
}

int conf_save(const Conf *c, const char *closure_text) {
        _cleanup_free_ char *path = conf_path(c->name), *closure = closure_path(c->name);
        _cleanup_strv_free_ char **args = NULL;
        int r;

        if (!path || !closure)
                return log_oom();
        r = secrets_store(c->name, c->extra_args, &args);
        if (r < 0)
                return r;
        r = conf_write(c, path, closure, args, closure_text);
        if (r < 0) {
                secrets_unstore(c->name, c->extra_args, args);
                return r;
        }
        (void) secrets_prune(c->name, args); /* the old values, now that no settings name them */
        return 0;
}

int conf_remove(const char *name) {
        _cleanup_free_ char *path = conf_path(name), *closure = closure_path(name);

        if (!path || !closure)
                return log_oom();
        if (unlink(path) < 0 && errno != ENOENT)
                return log_error_errno(negative_errno(), "Failed to remove '%s': %m", path);
        if (unlink(closure) < 0 && errno != ENOENT)
                return log_error_errno(negative_errno(), "Failed to remove '%s': %m", closure);
        return secrets_prune(name, NULL);
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

int conf_list(char ***ret) {
        _cleanup_strv_free_ char **l = calloc(1, sizeof(char *));
        DIR *d;
        size_t n = 0;

        if (!l)
                return log_oom();
        d = opendir(CONF_DIR);
        if (!d) {
                if (errno != ENOENT)
                        return log_error_errno(negative_errno(), "Failed to open '%s': %m", CONF_DIR);
                *ret = TAKE_PTR(l);
                return 0;
        }
        for (struct dirent *de; (de = readdir(d));) {
                const char *end = endswith(de->d_name, ".conf");
                char **m;

                if (!end || end == de->d_name || de->d_name[0] == '.')
                        continue;
                m = reallocarray(l, n + 2, sizeof(char *));
                if (!m) {
                        closedir(d);
                        return log_oom();
                }
                l = m;
                l[n] = strndup(de->d_name, end - de->d_name);
                if (!l[n]) {
                        closedir(d);
                        return log_oom();
                }
                l[++n] = NULL;
        }
        closedir(d);
        qsort(l, n, sizeof(char *), cmp_str);
        *ret = TAKE_PTR(l);
        return 0;
}

int conf_refuse_declarative(const Conf *c, const char *verb) {
        if (c->origin != ORIGIN_DECLARATIVE)
                return 0;
        return log_error_errno(-EPERM, "Container '%s' is declared in the NixOS configuration: %s it there "
                               "(nixos-nspawn.containers.%s), not with nixos-nspawnctl.", c->name, verb, c->name);
}
