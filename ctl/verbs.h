/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "args.h"

/* The verbs that look at or run a container (verbs.c). Each returns 0 or -errno (logged); those with ret_status
 * end with a status of their own there (the command's, exists' answer), never mixed with an errno. */
int verb_start(const Args *a);
int verb_stop(const Args *a);
int verb_restart(const Args *a);
int verb_terminate(const Args *a);
int verb_status(const Args *a);
int verb_state(const Args *a);
int verb_exists(const Args *a, int *ret_status);
int verb_run(const Args *a, int *ret_status);
int verb_login(const Args *a, int *ret_status);
int verb_root_login(const Args *a, int *ret_status);
int verb_show_ip(const Args *a);
/* The container's journal: /var/log/journal/ID on the host when it is kept there, else journalctl -M (logs.c). */
int verb_logs(const Args *a, int *ret_status);
int verb_list(const Args *a);
int verb_list_generations(const Args *a);
