/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

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

static int check_directory(const Settings *s, char **ret_error) {
        struct stat st, root;

        if (!s->directory)
                return 0;
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
