/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include "fileio.h"
#include "inputs.h"
#include "strutil.h"
#include "userns.h"

#define invalid(...) error_printf(ret_error, -EINVAL, __VA_ARGS__)

/* Every file read at start is a regular file: a FIFO would block us forever (after the machine lock was taken, for
 * the network fragments), a device may act on being opened. Refused here, before any lock; the reads themselves go
 * through open_regular() too, so a file swapped meanwhile cannot hang us either. */
static int check_input_file(const char *option, const char *path, char **ret_error) {
        struct stat st;

        if (!path || stat(path, &st) < 0) /* missing or unreachable: the read says so, with the error */
                return 0;
        if (!S_ISREG(st.st_mode))
                return invalid("Cannot read --%s '%s': it is %s, not a regular file.", option, path,
                               file_type_name(path));
        return 0;
}

static int check_input_files(const Settings *s, char **ret_error) {
        int r = 0;

        for (char **f = s->closure_files; r >= 0 && f && *f; f++)
                r = check_input_file("closure", *f, ret_error);
        for (size_t i = 0; r >= 0 && i < s->n_credentials; i++)
                r = check_input_file("load-credential", s->credentials[i].path, ret_error);
        if (r >= 0)
                r = check_input_file("network-veth-host-config", s->veth_host_config, ret_error);
        if (r >= 0)
                r = check_input_file("network-veth-container-config", s->veth_container_config, ret_error);
        /* a namespace file (nsfs) is a regular file too; that it is a network namespace is checked at open */
        if (r >= 0)
                r = check_input_file("network-namespace-path", s->network_namespace_path, ret_error);
        return r;
}

/* A fixed range must not hold an ID the host's users or groups have. */
static int check_userns(const Settings *s, char **ret_error) {
        char who[128];

        if (s->userns != USERNS_FIXED)
                return 0;
        /* (uid_range_refusal() was asked by the option's parser, which names the value as given) */
        if (uid_range_nss_conflict(s->uid_base, s->uid_size, who, sizeof who))
                return invalid("Invalid --private-users '%u:%u': it overlaps the host's %s.", (unsigned) s->uid_base,
                               s->uid_size, who);
        return 0;
}

/* The first symlink living in a procfs that resolving path passes (into *ret, which the caller frees): /proc/PID/root,
 * cwd, exe, fd/N, map_files/ (the "magic" links, which jump into another process's root and mount namespace rather
 * than naming a path), /proc/self and the like; 0: none. Other symlinks are followed (at most 40, as the kernel
 * does), so a link elsewhere that points into /proc is found too. */
static int readlink_malloc(const char *path, char **ret) {
        char buf[PATH_MAX];
        ssize_t n = readlink(path, buf, sizeof buf - 1);

        if (n < 0)
                return -errno;
        buf[n] = 0;
        *ret = strdup(buf);
        return *ret ? 0 : -ENOMEM;
}

static int proc_link_in_path(const char *path, char **ret) {
        _cleanup_free_ char *p = strdup(path);
        unsigned hops = 0;

        if (!p)
                return -ENOMEM;
        if (p[0] != '/')
                return 0; /* settings_verify() refuses it */
        for (char *s = p + 1;; s++) {
                if (*s != '/' && *s != 0)
                        continue;
                char c = *s, *slash, *target;
                struct statfs sfs;
                struct stat st;
                bool in_proc;

                *s = 0;
                slash = strrchr(p, '/');
                *slash = 0;
                in_proc = statfs(slash == p ? "/" : p, &sfs) >= 0 && sfs.f_type == PROC_SUPER_MAGIC;
                *slash = '/';
                if (lstat(p, &st) >= 0 && S_ISLNK(st.st_mode)) {
                        if (in_proc) {
                                *ret = TAKE_PTR(p);
                                return 1;
                        }
                        if (++hops > 40 || readlink_malloc(p, &target) < 0)
                                return 0; /* the stat() below says what is wrong */
                        /* continue with the link's target, then what followed the link */
                        *slash = 0;
                        _cleanup_free_ char *next = strprintf("%s%s%s%s%s", target[0] == '/' ? "" : p,
                                                              target[0] == '/' ? "" : "/", target, c ? "/" : "",
                                                              c ? s + 1 : "");
                        free(target);
                        if (!next)
                                return -ENOMEM;
                        free(p);
                        p = TAKE_PTR(next);
                        s = p; /* the loop's s++ starts after the leading '/' */
                        continue;
                }
                *s = c;
                if (c == 0)
                        return 0;
        }
}

static int check_directory(const Settings *s, char **ret_error) {
        _cleanup_free_ char *link = NULL;
        struct stat st, root;
        int r;

        if (!s->directory)
                return 0;
        /* A path through another process's root (-D /proc/PID/root) is refused, whatever it leads to: what it names
         * is whatever that process's root is when the outer child opens it (after this check), so the checks
         * below would not hold for what gets mounted; it may be the host's root by another name (PID 1's); and the
         * kernel lets us follow it only where ptrace would be allowed (where an LSM keeps us from PID 1, as on
         * the machines the checks run on, stat() says EACCES and no more). */
        r = proc_link_in_path(s->directory, &link);
        if (r < 0)
                return error_printf(ret_error, r, "Cannot use --directory '%s': %s", s->directory, strerror(-r));
        if (r > 0)
                return invalid("Cannot use --directory '%s': '%s' is a link of /proc (a process's root, cwd or "
                               "file), which that process can change under us; give the directory's own path.",
                               s->directory, link);
        if (stat(s->directory, &st) < 0) {
                int e = errno;
                return error_printf(ret_error, -e, "Cannot use --directory '%s': %s", s->directory, strerror(e));
        }
        if (!S_ISDIR(st.st_mode))
                return invalid("Cannot use --directory '%s': not a directory.", s->directory);
        /* The host's own root (by any name: "/", a symlink to it, a bind of it) booted as an image would run the
         * host's init on the host's files, with the host's setuid binaries under a container root. */
        if (stat("/", &root) >= 0 && st.st_dev == root.st_dev && st.st_ino == root.st_ino)
                return invalid("Cannot use --directory '%s': it is the host's root directory.", s->directory);
        return 0;
}

static int check_bind_sources(const Settings *s, char **ret_error) {
        struct stat st;

        for (size_t i = 0; i < s->n_binds; i++)
                if (stat(s->binds[i].source, &st) < 0) {
                        int e = errno;
                        return error_printf(ret_error, -e, "Cannot bind '%s': %s", s->binds[i].source, strerror(e));
                }
        return 0;
}

/* --network-bridge: the bridge is the host's, made and configured by someone else; it has to be there. */
static int check_bridge(const Settings *s, char **ret_error) {
        char path[64];
        struct stat st;

        if (!s->network_bridge)
                return 0;
        if (if_nametoindex(s->network_bridge) == 0)
                return error_printf(ret_error, -ENODEV, "Cannot use --network-bridge '%s': no such interface.",
                                    s->network_bridge);
        /* (an interface name is at most 15 bytes: checked by settings_verify()) */
        snprintf(path, sizeof path, "/sys/class/net/%s/bridge", s->network_bridge);
        if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
                return error_printf(ret_error, -ENOTTY, "Cannot use --network-bridge '%s': not a bridge.",
                                    s->network_bridge);
        return 0;
}

int inputs_check(const Settings *s, char **ret_error) {
        int r;

        r = check_userns(s, ret_error);
        if (r >= 0)
                r = check_input_files(s, ret_error);
        if (r >= 0)
                r = check_directory(s, ret_error);
        if (r >= 0)
                r = check_bind_sources(s, ret_error);
        if (r >= 0)
                r = check_bridge(s, ret_error);
        return r;
}
