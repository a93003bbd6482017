/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "caps.h"
#include "foreign.h"
#include "id128.h"
#include "inputs.h"
#include "link-journal.h"
#include "log.h"
#include "options.h"
#include "settings.h"
#include "spawn.h"
#include "strutil.h"

#ifndef VERSION
#define VERSION "0"
#endif

static void help(void) {
        printf("%s [OPTIONS...] [-- COMMAND [ARGS...]]\n\n"
               "Boot an always-ephemeral container from a Nix store closure.\n\n",
               program_invocation_short_name);
        options_help(stdout);
        printf("\nSee nixos-nspawn(1).\n");
}

/* close_range() before Linux 5.11: the same through /proc/self/fd. */
static void mark_fds_cloexec(void) {
        DIR *d = opendir("/proc/self/fd");
        struct dirent *de;

        if (!d)
                return;
        while ((de = readdir(d))) {
                unsigned fd;

                if (safe_atou32(de->d_name, &fd) >= 0 && fd > 2 && (int) fd != dirfd(d))
                        (void) fcntl((int) fd, F_SETFD, FD_CLOEXEC);
        }
        closedir(d);
}

int main(int argc, char *argv[]) {
        _cleanup_free_ char *error = NULL;
        OptionsAction action = OPTIONS_RUN;
        Settings s;
        char missing[256];
        int r;

        log_open();
        /* Whatever fds our caller left open must not reach the container: an fd to a host directory is a way
         * out of any mount namespace. Ours are all O_CLOEXEC; these become so too. */
        if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
                mark_fds_cloexec();
        settings_init(&s);

        r = options_parse(&s, argc, argv, &action, &error);
        if (r >= 0 && action == OPTIONS_HELP)
                help();
        if (r >= 0 && action == OPTIONS_VERSION)
                printf("nixos-nspawn %s\n", VERSION);
        if (r >= 0 && (action == OPTIONS_HELP || action == OPTIONS_VERSION))
                goto finish;
        /* --check: what a start would refuse before it looks at the host; nothing is locked, made or touched */
        if (r >= 0)
                r = action == OPTIONS_CHECK ? options_check(&s, &error) :
                    s.chown_foreign ? 0 : settings_verify(&s, isatty(STDIN_FILENO), &error);
        if (r >= 0 && action != OPTIONS_CHECK && !s.chown_foreign)
                r = inputs_check(&s, &error);
        /* everything --check checks, a start checks before prepare() locks or sweeps anything */
        if (r >= 0 && action != OPTIONS_CHECK && !s.chown_foreign)
                r = options_check_overrides(&s, &error);
        if (r < 0) {
                if (error)
                        log_error_errno(r, "%s", error);
                else
                        log_oom();
                goto finish;
        }
        if (action == OPTIONS_CHECK)
                goto finish;
        /* The machine's identity (machined, container_uuid=, /etc/machine-id inside, its journal directory) when not
         * given: the same at every start of this name (link-journal.h) */
        if (!s.chown_foreign)
                (void) machine_id_pick(&s);
        if (s.quiet)
                log_set_max_level(LOG_WARNING);

        /* Never setuid: everything below trusts its caller as much as root. */
        if (getuid() != geteuid() || getgid() != getegid()) {
                r = log_error_errno(-EPERM, "nixos-nspawn refuses to run setuid or setgid.");
                goto finish;
        }
        if (geteuid() != 0) {
                r = log_error_errno(-EPERM, "nixos-nspawn must be run as root (it needs CAP_SYS_ADMIN and more).");
                goto finish;
        }
        r = caps_check_launcher(missing, sizeof missing);
        if (r > 0) {
                r = log_error_errno(-EPERM, "nixos-nspawn lacks capabilities it needs: %s.", missing);
                goto finish;
        }

        if (s.chown_foreign) {
                r = foreign_chown_tree(s.chown_foreign);
                r = r < 0 ? r : 0;
        } else {
                r = journal_link_prepare(&s);
                if (r >= 0)
                        r = spawn_run(&s);
        }
finish:
        settings_done(&s);
        return r < 0 ? EXIT_FAILURE : r;
}
