/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "fileio.h"
#include "log.h"
#include "secrets.h"
#include "settings.h"
#include "strutil.h"

#define LOAD_CREDENTIAL "--load-credential="

char *secrets_dir(const char *name) {
        return strprintf(CONF_DIR "/%s.credentials", name);
}

/* Root's only, whatever was there before (made by hand with another mode, say): the files in it are secrets. */
static int secrets_dir_make(const char *dir) {
        struct stat st;
        int r;

        r = mkdir_p(CONF_DIR, 0755);
        if (r < 0)
                return log_error_errno(r, "Failed to create '%s': %m", CONF_DIR);
        if (mkdir(dir, 0700) < 0 && errno != EEXIST)
                return log_error_errno(negative_errno(), "Failed to create '%s': %m", dir);
        if (lstat(dir, &st) < 0)
                return log_error_errno(negative_errno(), "Failed to look at '%s': %m", dir);
        if (!S_ISDIR(st.st_mode))
                return log_error_errno(-ENOTDIR, "'%s' is not a directory.", dir);
        if ((st.st_uid != 0 || st.st_gid != 0 || (st.st_mode & 07777) != 0700) &&
            (chown(dir, 0, 0) < 0 || chmod(dir, 0700) < 0))
                return log_error_errno(negative_errno(), "Failed to make '%s' root's only: %m", dir);
        return 0;
}

/* The ID of a --set-credential= or --load-credential= argument (allocated), NULL when arg is neither. */
static char *credential_id(const char *arg) {
        const char *spec = startswith(arg, SET_CREDENTIAL) ?: startswith(arg, LOAD_CREDENTIAL);

        return spec ? strndup(spec, strcspn(spec, ":")) : NULL;
}

static int check_unique(char **args, size_t i, const char *id) {
        for (size_t j = 0; j < i; j++) {
                _cleanup_free_ char *other = credential_id(args[j]);

                if (other && streq(other, id))
                        return log_invalid("Credential '%s' is given twice.", id);
        }
        return 0;
}

/* One --set-credential=ID:VALUE into a new file; *ret the --load-credential= that replaces it. */
static int secret_store(const char *dir, const char *arg, char **ret) {
        const char *spec = arg + strlen(SET_CREDENTIAL), *colon = strchr(spec, ':');
        _cleanup_free_ char *id = NULL, *path = NULL;
        uint64_t rnd;
        int r;

        id = strndup(spec, colon ? (size_t) (colon - spec) : strlen(spec));
        if (!id)
                return log_oom();
        if (!colon || !credential_id_is_valid(id))
                return log_invalid("Invalid --set-credential for '%s': expected ID:VALUE with an ID without '/' or "
                                   "control characters.", id);
        if (strlen(colon + 1) > CREDENTIAL_SIZE_MAX)
                return log_invalid("Invalid --set-credential for '%s': the value is larger than %u bytes.", id,
                                   CREDENTIAL_SIZE_MAX);
        if (getrandom(&rnd, sizeof rnd, 0) != sizeof rnd)
                return log_error_errno(-EIO, "Failed to get random bytes.");
        path = strprintf("%s/%.200s.%016llx", dir, id, (unsigned long long) rnd);
        if (!path)
                return log_oom();
        r = write_file_atomic(path, colon + 1, 0600);
        if (r < 0)
                return log_error_errno(r, "Failed to write the credential '%s': %m", path);
        *ret = strprintf(LOAD_CREDENTIAL "%s:%s", id, path);
        if (!*ret) {
                (void) unlink(path);
                return log_oom();
        }
        return 0;
}

int secrets_store(const char *name, char **args, char ***ret_args) {
        _cleanup_free_ char *dir = secrets_dir(name);
        _cleanup_strv_free_ char **out = NULL;
        size_t n = strv_length(args);
        int r = 0;

        out = calloc(n + 1, sizeof(char *));
        if (!dir || !out)
                return log_oom();
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *id = credential_id(args[i]);

                if (id)
                        r = check_unique(args, i, id);
                if (r >= 0 && startswith(args[i], SET_CREDENTIAL)) {
                        r = secrets_dir_make(dir);
                        if (r >= 0)
                                r = secret_store(dir, args[i], &out[i]);
                } else if (r >= 0 && !(out[i] = strdup(args[i])))
                        r = log_oom();
                if (r < 0) {
                        secrets_unstore(name, args, out);
                        return r;
                }
        }
        *ret_args = TAKE_PTR(out);
        return 0;
}

void secrets_unstore(const char *name, char **args, char **stored) {
        _cleanup_free_ char *dir = secrets_dir(name);

        for (size_t i = 0; args && stored && args[i] && stored[i]; i++)
                if (startswith(args[i], SET_CREDENTIAL))
                        (void) unlink(strchr(stored[i] + strlen(LOAD_CREDENTIAL), ':') + 1);
        if (dir)
                (void) rmdir(dir); /* only when empty: the settings still saved name the others */
}

static bool named(char **args, const char *path) {
        for (char **a = args; a && *a; a++) {
                const char *spec = startswith(*a, LOAD_CREDENTIAL), *colon = spec ? strchr(spec, ':') : NULL;

                if (colon && streq(colon + 1, path))
                        return true;
        }
        return false;
}

int secrets_prune(const char *name, char **args) {
        _cleanup_free_ char *dir = secrets_dir(name);
        struct dirent *de;
        int r = 0;
        DIR *d;

        if (!dir)
                return log_oom();
        d = opendir(dir);
        if (!d)
                return errno == ENOENT ? 0 : log_error_errno(negative_errno(), "Failed to open '%s': %m", dir);
        while ((de = readdir(d))) {
                _cleanup_free_ char *path = NULL;

                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                path = strprintf("%s/%s", dir, de->d_name);
                if (!path) {
                        r = log_oom();
                        break;
                }
                if (!named(args, path) && unlinkat(dirfd(d), de->d_name, 0) < 0 && r >= 0)
                        r = log_error_errno(negative_errno(), "Failed to remove '%s': %m", path);
        }
        closedir(d);
        if (r >= 0 && rmdir(dir) < 0 && errno != ENOTEMPTY && errno != ENOENT)
                r = log_error_errno(negative_errno(), "Failed to remove '%s': %m", dir);
        return r;
}
